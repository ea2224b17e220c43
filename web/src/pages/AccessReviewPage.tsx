import { Anchor, Badge, Breadcrumbs, Button, Group, Paper, Progress, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { ConfirmModal } from '../components/ConfirmModal';
import { MissingDetail } from '../components/DetailPage';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import {
  accessReviewKeys,
  accessReviewsApi,
  reviewItemTitle,
  reviewRoleLabel,
  type AccessReview,
  type AccessReviewItem,
  type ReviewDecision,
} from '../lib/accessReviews';
import { accountKeys } from '../lib/accounts';
import { formatDate, formatDateTime } from '../lib/format';
import { toastSuccess } from '../lib/toast';
import { ReviewCrumbs } from './AccessReviewsPage';

const PARTNERS = { label: 'Partners', to: '/app/partners' };
const ACCOUNTS = { label: 'Accounts', to: '/app/accounts' };

/**
 * One access review (/app/partners/:partnerId/access-reviews/:reviewId): every guest and every grant with
 * its role, who granted it and its last use; **Keep** or **Remove** each (Remove asks first, and ends the
 * access as the usual removal does). A closed review shows who decided what. An account's review
 * (/app/accounts/:accountId/access-reviews/:reviewId) is the same page over the account's grants: its
 * members, its partners and the guests it was passed on to.
 */
export function AccessReviewPage() {
  const { reviewId = '', accountId } = useParams();
  const SECTION = accountId ? ACCOUNTS : PARTNERS;
  const review = useQuery({
    queryKey: accessReviewKeys.review(reviewId),
    queryFn: () => accessReviewsApi.get(reviewId),
  });
  if (review.isPending) return <Loading />;
  if (!review.data) return <MissingDetail section={SECTION} what="Access review" error={review.error} maw={960} />;
  return <ReviewView review={review.data} />;
}

function ReviewView({ review }: { review: AccessReview }) {
  const queryClient = useQueryClient();
  // The item whose removal is being confirmed; kept while the dialog closes, so its text stays.
  const [removal, setRemoval] = useState<{ item: AccessReviewItem; open: boolean } | null>(null);
  const decide = useMutation({
    mutationFn: ({ item, decision }: { item: AccessReviewItem; decision: ReviewDecision }) =>
      accessReviewsApi.decide(review.id, item.id, decision),
    onSuccess: async (updated, { item, decision }) => {
      queryClient.setQueryData(accessReviewKeys.review(review.id), updated);
      setRemoval((r) => r && { ...r, open: false });
      toastSuccess(
        `${reviewItemTitle(item, review)}: ${decision === 'keep' ? 'kept' : 'removed'}${updated.status === 'closed' ? ' — review complete' : ''}`,
      );
      if (review.partner) await queryClient.invalidateQueries({ queryKey: ['partners', review.partner.id] });
      if (review.account) await queryClient.invalidateQueries({ queryKey: accountKeys.detail(review.account.id) });
      await queryClient.invalidateQueries({ queryKey: accessReviewKeys.due });
      if (decision === 'remove') await queryClient.invalidateQueries({ queryKey: accountKeys.all });
    },
  });
  const decided = review.items.filter((i) => i.decision !== null).length;
  const total = review.items.length;
  const subject = review.partner ?? review.account;
  const open = review.status === 'open';
  const itemProps = {
    review,
    open,
    busy: decide.isPending,
    onKeep: (item: AccessReviewItem) => decide.mutate({ item, decision: 'keep' }),
    onRemove: (item: AccessReviewItem) => {
      decide.reset();
      setRemoval({ item, open: true });
    },
  };

  return (
    <Stack maw={960}>
      {review.partner ? (
        <ReviewCrumbs partner={review.partner} current={`Review of ${formatDate(review.startedAt)}`} underReviews />
      ) : (
        review.account && <AccountReviewCrumbs account={review.account} startedAt={review.startedAt} />
      )}
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1}>Access review of {subject?.name}</Title>
          <Text c="dimmed" size="sm">
            Started {formatDateTime(review.startedAt)}
            {review.startedBy ? ` by ${review.startedBy}` : ''}
            {review.closedAt ? `; completed ${formatDateTime(review.closedAt)}` : ''}.
          </Text>
        </div>
        <Badge color={open ? 'blue' : 'gray'} variant="light" size="lg">
          {open ? 'Open' : 'Closed'}
        </Badge>
      </Group>
      <Stack gap={4}>
        <Text size="sm">
          {decided} of {total} decided
        </Text>
        <Progress.Root>
          <Progress.Section value={total === 0 ? 100 : (decided / total) * 100} aria-label="Review progress" />
        </Progress.Root>
      </Stack>
      {!removal?.open && <ProblemAlert error={decide.error} />}

      {(review.account ? accountSections : partnerSections).map(({ label, empty, shows }) => {
        const items = review.items.filter(shows);
        return (
          <Stack key={label} gap="xs">
            <Title order={2} size="h3">
              {label}
            </Title>
            {items.length === 0 ? (
              <Text c="dimmed">{empty}</Text>
            ) : (
              <ItemList label={label} items={items} {...itemProps} />
            )}
          </Stack>
        );
      })}

      {removal && (
        <ConfirmModal
          opened={removal.open}
          title={`Remove ${reviewItemTitle(removal.item, review)}?`}
          confirmLabel="Remove"
          danger
          loading={decide.isPending}
          error={decide.error}
          onConfirm={() => decide.mutate({ item: removal.item, decision: 'remove' })}
          onClose={() => setRemoval({ ...removal, open: false })}
        >
          <Text size="sm">{removalEffect(removal.item, review)}</Text>
        </ConfirmModal>
      )}
    </Stack>
  );
}

interface Section {
  label: string;
  empty: string;
  shows: (item: AccessReviewItem) => boolean;
}

/** A partner's review: its guests, then the accounts reaching it. */
const partnerSections: Section[] = [
  { label: 'Guests', empty: 'No guests.', shows: (i) => i.kind === 'guest' },
  { label: 'Accounts', empty: 'No accounts are shared with this partner.', shows: (i) => i.kind === 'grant' },
];

/** An account's review: its members, the partners it is shared with, the guests it was passed on to. */
const accountSections: Section[] = [
  { label: 'Members', empty: 'No members.', shows: (i) => i.holderKind === 'member' },
  { label: 'Partners', empty: 'Not shared with any partner.', shows: (i) => i.holderKind === 'partner' },
  { label: 'Guests', empty: 'Not passed on to any guest.', shows: (i) => i.holderKind === 'guest' },
];

/** Accounts › the account › Review of …: an account's review sits under the account. */
function AccountReviewCrumbs({ account, startedAt }: { account: { id: string; name: string }; startedAt: string }) {
  return (
    <Breadcrumbs aria-label="Breadcrumb">
      <Anchor component={Link} to={ACCOUNTS.to} size="sm">
        {ACCOUNTS.label}
      </Anchor>
      <Anchor component={Link} to={`/app/accounts/${account.id}`} size="sm">
        {account.name}
      </Anchor>
      <Text size="sm" c="dimmed" aria-current="page">
        Review of {formatDate(startedAt)}
      </Text>
    </Breadcrumbs>
  );
}

function removalEffect(item: AccessReviewItem, review: AccessReview): string {
  if (item.ended) return 'This access has already ended; the review records it as removed.';
  if (review.account) {
    return item.holderKind === 'partner'
      ? `${review.account.name} stops being shared with ${item.holderName}, and every onward share made from it ends.`
      : `${item.holderName} can no longer use ${review.account.name}.`;
  }
  const partnerName = review.partner?.name ?? 'the partner';
  if (item.kind === 'guest') {
    return `${item.holderName} leaves ${partnerName} and the workspace: they are deactivated and signed out everywhere, and every account they could use ends for them. This cannot be undone.`;
  }
  // A grant with no person behind it is the partner's own share.
  if (item.holderEmail === null) {
    return `${item.accountName ?? 'The account'} stops being shared with ${partnerName}, and every onward share made from it ends.`;
  }
  return `${item.holderName} can no longer use ${item.accountName ?? 'the account'}.`;
}

interface ItemListProps {
  label: string;
  items: AccessReviewItem[];
  review: AccessReview;
  open: boolean;
  busy: boolean;
  onKeep: (item: AccessReviewItem) => void;
  onRemove: (item: AccessReviewItem) => void;
}

function ItemList({ label, items, ...rest }: ItemListProps) {
  return (
    <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label={label}>
      {items.map((item) => (
        <ReviewItemRow key={item.id} item={item} {...rest} />
      ))}
    </Stack>
  );
}

function ReviewItemRow({
  item,
  review,
  open,
  busy,
  onKeep,
  onRemove,
}: Omit<ItemListProps, 'label' | 'items'> & { item: AccessReviewItem }) {
  const title = reviewItemTitle(item, review);
  return (
    <Paper component="li" withBorder p="sm" aria-label={title}>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Stack gap={2} style={{ minWidth: 0, flex: '1 1 16rem' }}>
          <Group gap="xs">
            <Text fw={500} style={{ overflowWrap: 'anywhere' }}>
              {title}
            </Text>
            <Badge variant="light" color="gray">
              {reviewRoleLabel(item.role)}
            </Badge>
          </Group>
          {item.holderEmail && (item.kind === 'guest' || review.account) && (
            <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {item.holderEmail}
              {review.account && item.sharedVia ? ` · Guest of ${item.sharedVia}` : ''}
            </Text>
          )}
          <Text size="sm" c="dimmed">
            {item.kind === 'guest' ? 'Invited by' : 'Granted by'} {item.grantedBy ?? 'someone no longer known'} · Last
            used {item.lastUsedAt ? formatDate(item.lastUsedAt) : 'never'}
            {item.accessUntil ? ` · Access until ${formatDate(item.accessUntil)}` : ''}
          </Text>
          {item.ended && item.decision === null && (
            <Text size="sm" c="orange.8">
              This access has already ended.
            </Text>
          )}
        </Stack>
        {item.decision ? (
          <Stack gap={2} align="flex-start">
            <Badge color={item.decision === 'keep' ? 'green' : 'red'} variant="light">
              {item.decision === 'keep' ? 'Kept' : 'Removed'}
            </Badge>
            <Text size="xs" c="dimmed">
              {item.endedWith ? `Ended with the removal of ${item.endedWith}, by ` : 'by '}
              {item.decidedBy ?? 'someone'}
              {item.decidedAt ? `, ${formatDate(item.decidedAt)}` : ''}
            </Text>
          </Stack>
        ) : (
          open && (
            <Group gap="xs">
              {!item.ended && (
                <Button variant="default" size="sm" disabled={busy} onClick={() => onKeep(item)}>
                  Keep
                </Button>
              )}
              <Button color="red" variant="outline" size="sm" disabled={busy} onClick={() => onRemove(item)}>
                Remove
              </Button>
            </Group>
          )
        )}
      </Group>
    </Paper>
  );
}
