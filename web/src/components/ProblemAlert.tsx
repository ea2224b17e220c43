import { Alert, Anchor, List } from '@mantine/core';
import { Link } from 'react-router';
import { ApiError, type FieldProblem } from '../api';
import { errorMessage } from '../lib/problems';

interface ProblemAlertProps {
  error: unknown;
  /** Field problems that could not be shown under a field. */
  other?: FieldProblem[];
}

/** Shows an API error's detail (or title) in an alert that screen readers announce. */
export function ProblemAlert({ error, other = [] }: ProblemAlertProps) {
  if (!error) return null;
  return (
    <Alert color="red" variant="light" role="alert">
      {errorMessage(error)}
      {error instanceof ApiError && error.problem.type.endsWith('/mfa-required') && (
        <>
          {' '}
          <Anchor component={Link} to="/app/security" size="sm">
            Turn on MFA
          </Anchor>
        </>
      )}
      {other.length > 0 && (
        <List size="sm" mt="xs">
          {other.map((p) => (
            <List.Item key={`${p.path}:${p.message}`}>{p.path ? `${p.path}: ${p.message}` : p.message}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
