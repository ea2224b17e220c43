import { Anchor, Badge, Breadcrumbs, Button, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { MissingDetail } from '../components/DetailPage';
import {
  accessReviewKeys,
  accessReviewsApi,
  REVIEW_INTERVALS,
  type AccessReviewSummary,
  type PartnerAccessReviews,
  type ReviewInterval,
} from '../lib/accessReviews';
import { formatDate } from '../lib/format';
import { toastSuccess } from '../lib/toast';

const SECTION = { label: 'Partners', to: '/app/partners' };
const NOT_SCHEDULED = 'none';

/**
 * **Review access** for a partner (/app/partners/:partnerId/access-reviews, SPEC §8a): its schedule, the
 * open review or a way to start one, and every past review with who decided what.
 */
export function AccessReviewsPage() {
  const { partnerId = '' } = useParams();
  const reviews = useQuery({
    queryKey: accessReviewKeys.ofPartner(partnerId),
    queryFn: () => accessReviewsApi.ofPartner(partnerId),
  });
  if (reviews.isPending) return <Loading />;
  if (!reviews.data) return <MissingDetail section={SECTION} what="Partner" error={reviews.error} maw={960} />;
  return <AccessReviewsView data={reviews.data} />;
}

/** Partners › the partner › (Review access ›) the current page. */
export function ReviewCrumbs({
  partner,
  current,
  underReviews = false,
}: {
  partner: { id: string; name: string };
  current: string;
  underReviews?: boolean;
}) {
  return (
    <Breadcrumbs aria-label="Breadcrumb">
      <Anchor component={Link} to={SECTION.to} size="sm">
        {SECTION.label}
      </Anchor>
      <Anchor component={Link} to={`/app/partners/${partner.id}`} size="sm">
        {partner.name}
      </Anchor>
      {underReviews && (
        <Anchor component={Link} to={`/app/partners/${partner.id}/access-reviews`} size="sm">
          Review access
        </Anchor>
      )}
      <Text size="sm" c="dimmed" aria-current="page">
        {current}
      </Text>
    </Breadcrumbs>
  );
}

function AccessReviewsView({ data }: { data: PartnerAccessReviews }) {
  const { partner, reviews } = data;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const open = reviews.find((r) => r.status === 'open');
  const start = useMutation({
    mutationFn: () => accessReviewsApi.start(partner.id),
    onSuccess: async (review) => {
      queryClient.setQueryData(accessReviewKeys.review(review.id), review);
      await queryClient.invalidateQueries({ queryKey: accessReviewKeys.ofPartner(partner.id) });
      navigate(`/app/partners/${partner.id}/access-reviews/${review.id}`);
    },
  });

  return (
    <Stack maw={960}>
      <ReviewCrumbs partner={partner} current="Review access" />
      <div>
        <Title order={1}>Review access</Title>
        <Text c="dimmed" size="sm">
          Every guest of {partner.name} and every account it can use, each decided Keep or Remove.
        </Text>
      </div>
      <ProblemAlert error={start.error} />
      <Group>
        {open ? (
          <Button component={Link} to={`/app/partners/${partner.id}/access-reviews/${open.id}`}>
            Continue review
          </Button>
        ) : (
          <Button onClick={() => start.mutate()} loading={start.isPending}>
            Start review
          </Button>
        )}
      </Group>
      <ScheduleSetting data={data} />
      <Title order={2} size="h3">
        Reviews
      </Title>
      {reviews.length === 0 ? (
        <Text c="dimmed">{partner.name} has not been reviewed yet.</Text>
      ) : (
        <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Reviews">
          {reviews.map((review) => (
            <ReviewRow key={review.id} partnerId={partner.id} review={review} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}

function ReviewRow({ partnerId, review }: { partnerId: string; review: AccessReviewSummary }) {
  const label = `Review started ${formatDate(review.startedAt)}`;
  return (
    <Paper component="li" withBorder p="sm" aria-label={label}>
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div>
          <Anchor component={Link} to={`/app/partners/${partnerId}/access-reviews/${review.id}`} fw={500}>
            {label}
          </Anchor>
          <Text size="sm" c="dimmed">
            {review.startedBy ? `by ${review.startedBy} · ` : ''}
            {review.status === 'closed' && review.closedAt
              ? `completed ${formatDate(review.closedAt)} · ${review.items - review.removed} kept, ${review.removed} removed`
              : `${review.decided} of ${review.items} decided`}
          </Text>
        </div>
        <Badge color={review.status === 'open' ? 'blue' : 'gray'} variant="light">
          {review.status === 'open' ? 'Open' : 'Closed'}
        </Badge>
      </Group>
    </Paper>
  );
}

function ScheduleSetting({ data }: { data: PartnerAccessReviews }) {
  const { partner, schedule } = data;
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (intervalDays: ReviewInterval | null) => accessReviewsApi.schedule(partner.id, intervalDays),
    onSuccess: async ({ schedule: saved }) => {
      toastSuccess(saved ? `Access reviews every ${saved.intervalDays} days` : 'Access reviews not scheduled');
      await queryClient.invalidateQueries({ queryKey: accessReviewKeys.ofPartner(partner.id) });
      await queryClient.invalidateQueries({ queryKey: accessReviewKeys.due });
    },
  });
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <ProblemAlert error={save.error} />
        <Select
          label="Review schedule"
          description="Host admins are emailed when a review is due, and it shows on their dashboard."
          maw={320}
          allowDeselect={false}
          value={schedule ? String(schedule.intervalDays) : NOT_SCHEDULED}
          data={[
            { value: NOT_SCHEDULED, label: 'Not scheduled' },
            ...REVIEW_INTERVALS.map((days) => ({ value: String(days), label: `Every ${days} days` })),
          ]}
          disabled={save.isPending}
          onChange={(value) => {
            if (!value) return;
            save.mutate(value === NOT_SCHEDULED ? null : (Number(value) as ReviewInterval));
          }}
        />
        {schedule && (
          <Group gap="xs">
            <Text size="sm">Next review due on {formatDate(schedule.dueAt)}.</Text>
            {schedule.overdue && (
              <Badge color="orange" variant="light">
                Overdue
              </Badge>
            )}
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
