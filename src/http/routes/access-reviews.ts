import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REVIEW_INTERVALS_DAYS } from '../../domain/policies/access-reviews.js';
import { decideAccessReviewItem } from '../../services/access-reviews/decide-item.js';
import { dueAccessReviews } from '../../services/access-reviews/due-reviews.js';
import { getAccessReview } from '../../services/access-reviews/get-review.js';
import { listAccessReviews, listAccountAccessReviews } from '../../services/access-reviews/list-reviews.js';
import { setReviewSchedule } from '../../services/access-reviews/review-schedule.js';
import { startAccountAccessReview } from '../../services/access-reviews/start-account-review.js';
import { startAccessReview } from '../../services/access-reviews/start-review.js';
import { requestContext, requireSession } from '../context.js';
import { problemResponses } from '../schemas.js';

const PartnerParams = z.strictObject({ partnerId: z.uuid({ error: 'Not a valid partner id.' }) });
const AccountParams = z.strictObject({ accountId: z.uuid({ error: 'Not a valid account id.' }) });
const ReviewParams = z.strictObject({ reviewId: z.uuid({ error: 'Not a valid review id.' }) });
const ItemParams = z.strictObject({
  reviewId: z.uuid({ error: 'Not a valid review id.' }),
  itemId: z.uuid({ error: 'Not a valid item id.' }),
});
const ReviewStatus = z.enum(['open', 'closed']);
const Decision = z.enum(['keep', 'remove'], { error: 'Choose keep or remove.' });

const ScheduleView = z
  .object({
    intervalDays: z.union(REVIEW_INTERVALS_DAYS.map((days) => z.literal(days))),
    dueAt: z.string(),
    overdue: z.boolean(),
  })
  .nullable();

const ReviewSummary = z.object({
  id: z.uuid(),
  status: ReviewStatus,
  startedAt: z.string(),
  startedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
  items: z.number(),
  decided: z.number(),
  removed: z.number(),
});

const PartnerReviewsView = z.object({
  partner: z.object({ id: z.uuid(), name: z.string() }),
  schedule: ScheduleView,
  reviews: z.array(ReviewSummary),
});

const AccountReviewsView = z.object({
  account: z.object({ id: z.uuid(), name: z.string() }),
  reviews: z.array(ReviewSummary),
});

const ReviewView = z.object({
  id: z.uuid(),
  partner: z.object({ id: z.uuid(), name: z.string() }).nullable().describe('The partner under review, or null'),
  account: z.object({ id: z.uuid(), name: z.string() }).nullable().describe('The account under review, or null'),
  status: ReviewStatus,
  startedAt: z.string(),
  startedBy: z.string().nullable(),
  closedAt: z.string().nullable(),
  items: z.array(
    z.object({
      id: z.uuid(),
      kind: z.enum(['guest', 'grant']),
      holderName: z.string().describe('The guest, the person holding a grant, or the partner for a partner share'),
      holderEmail: z.string().nullable(),
      holderKind: z.enum(['member', 'guest', 'partner']),
      accountId: z.uuid().nullable(),
      accountName: z.string().nullable(),
      role: z.string(),
      grantedBy: z.string().nullable().describe('Who invited the guest, or who granted the access'),
      lastUsedAt: z.string().nullable(),
      accessUntil: z.string().nullable().describe("The grant's Access until when the review started"),
      sharedVia: z.string().nullable().describe('The partner a guest belongs to'),
      decision: Decision.nullable(),
      decidedBy: z.string().nullable(),
      decidedAt: z.string().nullable(),
      endedWith: z.string().nullable().describe('The item whose removal ended this access too'),
      ended: z.boolean().describe('The access no longer exists'),
    }),
  ),
});

/**
 * **Review access** (SPEC §8a): a partner's access reviews, their decisions, its schedule, and what is due;
 * an account's access reviews. A review and its decisions are reached by id, whatever it is of: the service
 * asks whether the actor reviews its subject.
 */
const accessReviewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/partners/:partnerId/access-reviews',
    {
      schema: {
        tags: ['partners'],
        summary: "A partner's access reviews, newest first, and its review schedule (host admins)",
        params: PartnerParams,
        response: { 200: PartnerReviewsView, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => listAccessReviews(app.db, requireSession(request).actor, request.params.partnerId),
  );

  app.post(
    '/partners/:partnerId/access-reviews',
    {
      schema: {
        tags: ['partners'],
        summary: 'Start an access review: every guest and every grant reaching the partner, to keep or remove',
        params: PartnerParams,
        response: { 201: ReviewView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const reviewId = await app.unitOfWork.run((tx) =>
        startAccessReview(tx, actor, request.params.partnerId, requestContext(request)),
      );
      return reply.status(201).send(await getAccessReview(app.db, actor, reviewId));
    },
  );

  app.get(
    '/accounts/:accountId/access-reviews',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['sharing'],
        summary: "An account's access reviews, newest first (its owners)",
        params: AccountParams,
        response: { 200: AccountReviewsView, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => listAccountAccessReviews(app.db, requireSession(request).actor, request.params.accountId),
  );

  app.post(
    '/accounts/:accountId/access-reviews',
    {
      config: { access: 'accounts' },
      schema: {
        tags: ['sharing'],
        summary:
          '**Review access** for an account (its owners): starts a review of every grant on it, or returns the open one (200)',
        params: AccountParams,
        response: { 200: ReviewView, 201: ReviewView, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { actor } = requireSession(request);
      const { reviewId, created } = await app.unitOfWork.run((tx) =>
        startAccountAccessReview(tx, actor, request.params.accountId, requestContext(request)),
      );
      return reply.status(created ? 201 : 200).send(await getAccessReview(app.db, actor, reviewId));
    },
  );

  app.patch(
    '/partners/:partnerId/access-review-schedule',
    {
      schema: {
        tags: ['partners'],
        summary: "Set the partner's access review schedule: every 30, 90 or 180 days, or none (null)",
        params: PartnerParams,
        body: z.strictObject({
          intervalDays: z
            .union([...REVIEW_INTERVALS_DAYS.map((days) => z.literal(days)), z.null()], {
              error: 'Choose 30, 90 or 180 days, or null for none.',
            })
            .describe('Days between reviews, or null for none'),
        }),
        response: { 200: z.object({ schedule: ScheduleView }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      const schedule = await app.unitOfWork.run((tx) =>
        setReviewSchedule(tx, actor, request.params.partnerId, request.body.intervalDays, requestContext(request)),
      );
      return { schedule };
    },
  );

  app.get(
    '/access-reviews/:reviewId',
    {
      schema: {
        tags: ['partners'],
        summary: 'An access review with every item and who decided what',
        params: ReviewParams,
        response: { 200: ReviewView, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getAccessReview(app.db, requireSession(request).actor, request.params.reviewId),
  );

  app.post(
    '/access-reviews/:reviewId/items/:itemId/decision',
    {
      schema: {
        tags: ['partners'],
        summary: 'Keep or Remove one item; Remove ends the access as the usual removal does',
        params: ItemParams,
        body: z.strictObject({ decision: Decision }),
        response: { 200: ReviewView, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { actor } = requireSession(request);
      const { reviewId, itemId } = request.params;
      await app.unitOfWork.run((tx) =>
        decideAccessReviewItem(tx, actor, reviewId, itemId, request.body.decision, requestContext(request)),
      );
      return getAccessReview(app.db, actor, reviewId);
    },
  );

  app.get(
    '/access-reviews/due',
    {
      schema: {
        tags: ['partners'],
        summary: 'Scheduled access reviews past their date, of the partners the signed-in user reviews',
        response: {
          200: z.object({
            due: z.array(
              z.object({
                partnerId: z.uuid(),
                partnerName: z.string(),
                dueAt: z.string(),
                openReviewId: z.uuid().nullable(),
              }),
            ),
          }),
          ...problemResponses(401),
        },
      },
    },
    async (request) => ({ due: await dueAccessReviews(app.db, requireSession(request).actor) }),
  );
};

export default accessReviewRoutes;
