import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link, Navigate, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { api, ApiError, type InvitationLookup, type PublicWorkspace } from '../api';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { PublicLayout } from '../components/PublicLayout';
import { WorkspaceNotFound } from '../components/WorkspaceNotFound';
import { periodAfter } from '../lib/format';
import { isNotFound, useWorkspace } from '../lib/queries';

const GUEST_BUTTON = 'Log in as a guest user';

const readableDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' });

/** "March 3, 2026 at 2:15 PM", in the reader's locale and time zone. */
function formatWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : readableDateTime.format(date);
}

const signInPath = (slug: string, username?: string) =>
  `/w/${encodeURIComponent(slug)}/sign-in${username ? `?${new URLSearchParams({ username }).toString()}` : ''}`;

/** The server route that redirects to the IdP (or back here with ?idp=unavailable when it is down). */
const ssoStartPath = (slug: string) => `/api/v1/workspaces/${encodeURIComponent(slug)}/sso/start`;

/**
 * The authentication waiting page (/w/:slug).
 * - Opened from an invitation link (?invitation=TOKEN), in any mode: explains the invitation, no countdown.
 * - idp mode: counts down, then sends members to the company's identity provider; guests step aside.
 * - local mode: straight to the sign-in page.
 */
export function WorkspaceWaitPage() {
  const { slug = '' } = useParams();
  const [params] = useSearchParams();
  const { search } = useLocation();
  const invitation = params.get('invitation');
  const workspace = useWorkspace(slug);

  if (invitation) return <InvitationWelcome slug={slug} token={invitation} />;
  // Local mode: straight on, keeping any query (such as ?username=) for the sign-in page.
  if (workspace.data?.mode === 'local') return <Navigate to={`${signInPath(slug)}${search}`} replace />;

  return (
    <PublicLayout>
      {workspace.isPending ? (
        <Loading />
      ) : isNotFound(workspace.error) ? (
        <WorkspaceNotFound slug={slug} />
      ) : workspace.isError ? (
        <Stack>
          <ProblemAlert error={workspace.error} />
          <Anchor component={Link} to="/login">
            Find your workspace
          </Anchor>
        </Stack>
      ) : params.get('idp') === 'unavailable' ? (
        <IdpUnavailable workspace={workspace.data} />
      ) : (
        <IdpCountdown workspace={workspace.data} />
      )}
    </PublicLayout>
  );
}

function secondsText(seconds: number): string {
  return seconds === 1 ? '1 second' : `${seconds} seconds`;
}

/** Counts down from the workspace's redirectSeconds, then hands the page to the IdP redirect. */
function IdpCountdown({ workspace }: { workspace: PublicWorkspace }) {
  const navigate = useNavigate();
  const total = Math.max(0, workspace.redirectSeconds ?? 5);
  const [remaining, setRemaining] = useState(total);
  // Once the person chose to sign in as a guest (or the redirect started), nothing may redirect again.
  const settled = useRef(false);
  const timer = useRef<number | undefined>(undefined);

  const stop = useCallback(() => {
    settled.current = true;
    window.clearInterval(timer.current);
  }, []);

  const goToIdp = useCallback(() => {
    if (settled.current) return;
    stop();
    window.location.assign(ssoStartPath(workspace.slug));
  }, [stop, workspace.slug]);

  useEffect(() => {
    const deadline = Date.now() + total * 1000;
    const tick = () => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      setRemaining(left);
      if (left === 0) goToIdp();
    };
    tick();
    timer.current = window.setInterval(tick, 250);
    return () => window.clearInterval(timer.current);
  }, [total, goToIdp]);

  const signInAsGuest = () => {
    stop();
    navigate(signInPath(workspace.slug));
  };

  return (
    <Stack align="center" ta="center">
      <Title order={1} size="h2">
        {workspace.name}
      </Title>
      <Text aria-live="polite" aria-atomic="true">
        {remaining > 0
          ? `Redirecting to your company's sign-in in ${secondsText(remaining)}…`
          : "Redirecting to your company's sign-in…"}
      </Text>
      <Text c="dimmed" size="sm">
        Not part of the company? Guests sign in with the username and password Gatehouse gave them.
      </Text>
      <Button onClick={signInAsGuest}>{GUEST_BUTTON}</Button>
    </Stack>
  );
}

/** The start route sent the browser back here: the IdP could not be reached. */
function IdpUnavailable({ workspace }: { workspace: PublicWorkspace }) {
  const navigate = useNavigate();
  return (
    <Stack>
      <Title order={1} size="h2">
        {workspace.name}
      </Title>
      <Alert color="orange" variant="light" title="Your company's sign-in is not reachable">
        {workspace.name}'s identity provider did not answer, so members cannot sign in with it right now. Try again in a
        few minutes, or ask your administrator. Guests are not affected: they sign in with their Gatehouse username.
      </Alert>
      <Group grow>
        <Button variant="default" onClick={() => window.location.assign(ssoStartPath(workspace.slug))}>
          Try again
        </Button>
        <Button onClick={() => navigate(signInPath(workspace.slug))}>{GUEST_BUTTON}</Button>
      </Group>
    </Stack>
  );
}

/** A link that is malformed (400), unknown or superseded by a newer invitation (404). */
function isBadLink(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 400 || error.status === 404);
}

/** Opened from an invitation email's Join as a guest link: never a countdown, never a dead end. */
function InvitationWelcome({ slug, token }: { slug: string; token: string }) {
  const invitation = useQuery({
    queryKey: ['invitation-by-token', token],
    queryFn: () => api.getInvitationByToken(token),
    staleTime: 0,
  });

  return (
    <PublicLayout>
      {invitation.isPending ? (
        <Loading />
      ) : invitation.isError ? (
        <Stack>
          <Title order={1} size="h2">
            {isBadLink(invitation.error) ? 'This invitation link does not work' : 'Could not open your invitation'}
          </Title>
          {isBadLink(invitation.error) ? (
            // Said once, here, rather than the server's detail followed by the same advice in other words.
            <Alert color="orange" variant="light">
              This invitation link is not valid: it is incomplete, or a newer invitation replaced it. Use the whole link
              from the newest invitation email; if you already set your password, sign in.
            </Alert>
          ) : (
            <>
              <ProblemAlert error={invitation.error} />
              <Text size="sm">
                Try again in a moment. You can also sign in with the username and temporary password from your email.
              </Text>
            </>
          )}
          <Group grow>
            {!isBadLink(invitation.error) && (
              <Button variant="default" onClick={() => void invitation.refetch()}>
                Try again
              </Button>
            )}
            <Button component={Link} to={signInPath(slug)}>
              {GUEST_BUTTON}
            </Button>
          </Group>
        </Stack>
      ) : (
        <InvitationState invitation={invitation.data} />
      )}
    </PublicLayout>
  );
}

function InvitationState({ invitation }: { invitation: InvitationLookup }) {
  const slug = invitation.workspace.slug;
  const goToSignIn = (
    <Anchor component={Link} to={signInPath(slug)}>
      Go to sign-in
    </Anchor>
  );

  switch (invitation.state) {
    case 'pending':
      return (
        <Stack>
          <Title order={1} size="h2">
            You're invited to {invitation.workspace.name}
          </Title>
          <Text>
            You were invited as a guest of <strong>{invitation.partnerName}</strong>
            {invitation.invitedBy ? (
              <>
                {' '}
                by <strong>{invitation.invitedBy}</strong>
              </>
            ) : null}
            {periodAfter(invitation.invitedBy ?? invitation.partnerName)}
          </Text>
          <Text>
            Sign in with your username <strong>{invitation.username}</strong> and the temporary password from the
            invitation email. You will then choose your own password.
          </Text>
          <Text c="dimmed" size="sm">
            This invitation expires on {formatWhen(invitation.expiresAt)}.
          </Text>
          <Button component={Link} to={signInPath(slug, invitation.username)}>
            {GUEST_BUTTON}
          </Button>
        </Stack>
      );
    case 'expired':
      return (
        <Stack>
          <Title order={1} size="h2">
            Invitation to {invitation.workspace.name}
          </Title>
          <Alert color="orange" variant="light">
            <Text fw={500}>This invitation expired on {formatWhen(invitation.expiresAt)}.</Text>
            <Text mt={4}>
              Ask {invitation.invitedBy ?? 'a host admin'} or another host admin of {invitation.partnerName} to resend
              it.
            </Text>
          </Alert>
          {goToSignIn}
        </Stack>
      );
    case 'revoked':
      return (
        <Stack>
          <Title order={1} size="h2">
            Invitation to {invitation.workspace.name}
          </Title>
          <Alert color="orange" variant="light">
            This invitation was revoked.
          </Alert>
          {goToSignIn}
        </Stack>
      );
    case 'accepted':
      return (
        <Stack>
          <Title order={1} size="h2">
            Invitation to {invitation.workspace.name}
          </Title>
          <Alert color="blue" variant="light">
            <Text fw={500}>This invitation has already been used.</Text>
            <Text mt={4}>Sign in with the password you chose.</Text>
          </Alert>
          {goToSignIn}
        </Stack>
      );
  }
}
