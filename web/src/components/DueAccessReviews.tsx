import { Anchor, Paper, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { accessReviewKeys, accessReviewsApi } from '../lib/accessReviews';
import { formatDate } from '../lib/format';

/**
 * The dashboard's **Access reviews due** (SPEC §8a): scheduled reviews past their date, of the partners the
 * person reviews (host admins; workspace admins see every partner's). Nothing when none is due.
 */
export function DueAccessReviews() {
  const due = useQuery({ queryKey: accessReviewKeys.due, queryFn: accessReviewsApi.due });
  const reviews = due.data?.due ?? [];
  if (reviews.length === 0) return null;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="due-reviews-title">
      <Stack gap="xs">
        <Title order={2} size="h4" id="due-reviews-title">
          Access reviews due
        </Title>
        <Stack component="ul" gap={4} p={0} m={0} style={{ listStyle: 'none' }}>
          {reviews.map((review) => (
            <Text component="li" size="sm" key={review.partnerId}>
              <Anchor
                component={Link}
                to={
                  review.openReviewId
                    ? `/app/partners/${review.partnerId}/access-reviews/${review.openReviewId}`
                    : `/app/partners/${review.partnerId}/access-reviews`
                }
              >
                Review access of {review.partnerName}
              </Anchor>{' '}
              <Text span c="dimmed" size="sm">
                (due {formatDate(review.dueAt)})
              </Text>
            </Text>
          ))}
        </Stack>
      </Stack>
    </Paper>
  );
}
