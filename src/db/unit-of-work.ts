import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * A use case and its transaction, the one way this code base opens one.
 *
 * `run(work)` opens a transaction, runs the use case in it and commits; only after COMMIT does it run
 * what the use case asked for with `afterCommit(tx, …)`, in order and each once. A rollback (the work
 * threw) drops them. So work that must not happen for a change that never was (waking the mail worker,
 * counting an activity event in the metrics) is registered where the change is made, deep in a service,
 * and no caller has to remember it: `enqueueMail` says `afterCommit(tx, 'mail-queued')`, and the app
 * that made the unit says what that means (wake its outbox worker).
 *
 * A use case that must not hold a transaction through all of its steps (argon2 or a WebAuthn check must
 * not hold locks; a counted wrong answer must commit although the request then fails) takes the unit
 * itself: it reads through `unit.db` and runs each transactional step with `unit.run`.
 */
export interface UnitOfWork {
  /** The database outside any transaction: reads, and the single statements that commit on their own. */
  readonly db: Kysely<Database>;
  /** Runs `work` in a transaction, then, once it has committed, the effects it registered. */
  run<T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<T>;
}

/** Something a use case did that the app may act on once it has committed; the app maps it to an effect. */
export type CommitNotice = 'mail-queued' | 'activity-recorded';

/** An effect run after commit: a notice the app maps, or a function. Effects must be quick and not fail. */
export type AfterCommit = CommitNotice | (() => void);

export interface UnitOfWorkOptions {
  /** What each notice means in this app (the CLI has no mail worker to wake: it passes none). */
  notices?: Partial<Record<CommitNotice, () => void>>;
  /** Told of an effect that threw: the change has committed, so the use case has succeeded regardless. */
  onEffectError?: (error: unknown) => void;
}

/** The effects registered by each open transaction that a unit of work runs. */
const pendingEffects = new WeakMap<Kysely<Database>, Set<AfterCommit>>();

/** The database each open transaction of a unit of work belongs to. */
const origins = new WeakMap<Kysely<Database>, Kysely<Database>>();

/**
 * The database `tx` runs on: `tx` itself outside a transaction, its unit of work's database inside one.
 * Lets what an app attaches to its database (the activity log's keys) be found from any transaction.
 */
export function databaseOf(tx: Kysely<Database>): Kysely<Database> {
  return origins.get(tx) ?? tx;
}

/**
 * Registers `effect` to run once `tx` has committed (at most once per transaction, however often it is
 * registered). Outside a transaction (`tx` is the database) the statement has already committed, so a
 * function runs now. A transaction not opened by a unit of work (only tests open one) has no after-commit
 * and the effect is dropped: that is why src/ opens every transaction through `UnitOfWork.run`, which
 * ESLint enforces. Effects are notifications, never part of the change: the outbox worker also polls,
 * and the metrics count only what a unit of work committed.
 */
export function afterCommit(tx: Kysely<Database>, effect: AfterCommit): void {
  const effects = pendingEffects.get(tx);
  if (effects) effects.add(effect);
  else if (!tx.isTransaction && typeof effect === 'function') effect();
}

export function createUnitOfWork(db: Kysely<Database>, options: UnitOfWorkOptions = {}): UnitOfWork {
  const perform = (effect: AfterCommit) => {
    try {
      if (typeof effect === 'function') effect();
      else options.notices?.[effect]?.();
    } catch (error) {
      options.onEffectError?.(error);
    }
  };
  return {
    db,
    async run(work) {
      const effects = new Set<AfterCommit>();
      const result = await db.transaction().execute((tx) => {
        pendingEffects.set(tx, effects);
        origins.set(tx, db);
        return work(tx);
      });
      for (const effect of effects) perform(effect);
      return result;
    },
  };
}
