import { Alert, Anchor, List } from '@mantine/core';
import { Link } from 'react-router';
import { ApiError, type FieldProblem } from '../api';
import { errorMessage } from '../lib/problems';

interface ProblemAlertProps {
  error: unknown;
  /**
   * Field problems that could not be shown under a field. Leave it out when the form shows none of them
   * under its fields: then every field problem is listed here.
   */
  other?: FieldProblem[];
}

/**
 * Shows an API error in an alert that screen readers announce, in words: a refused form says what to
 * check, and each problem reads as its message, never as the API's field path.
 */
export function ProblemAlert({ error, other }: ProblemAlertProps) {
  if (!error) return null;
  const fieldProblems = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  const invalidInput = error instanceof ApiError && error.problem.type.endsWith('/validation-failed');
  const listed = other ?? fieldProblems;
  // What the form already shows under its fields is not said again above them.
  const underFields = other ? fieldProblems.filter((problem) => !other.includes(problem)).map((p) => p.message) : [];
  // The validation answer's detail joins the field paths for API clients; people get a sentence instead.
  const heading =
    invalidInput || underFields.includes(errorMessage(error))
      ? listed.length > 0
        ? 'Check what you entered:'
        : 'Check the fields marked below.'
      : errorMessage(error);
  const messages = [...new Set(listed.map((p) => p.message))].filter((message) => message !== heading);
  return (
    <Alert color="red" variant="light" role="alert">
      {heading}
      {error instanceof ApiError && error.problem.type.endsWith('/mfa-required') && (
        <>
          {' '}
          <Anchor component={Link} to="/app/security" size="sm">
            Turn on MFA
          </Anchor>
        </>
      )}
      {messages.length > 0 && (
        <List size="sm" mt="xs">
          {messages.map((message) => (
            <List.Item key={message}>{message}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
