import { Anchor, Badge, Breadcrumbs, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, type PartnerMemberDetail } from '../api';
import { Loading } from '../components/Loading';
import { ProblemAlert } from '../components/ProblemAlert';
import { UserDevicesSection } from '../components/UserDevicesSection';
import { ResetMfaSection } from '../components/ResetMfaSection';
import { MemberAccountsSection } from '../components/partner/MemberAccountsSection';
import { ResetGuestPasswordSection } from '../components/partner/ResetGuestPasswordSection';
import { GuestAccessEndSection } from '../components/partner/GuestAccessEndSection';
import { memberName, memberStatusColor, memberStatusLabel, partnerRoleLabel } from '../lib/partners';
import { isNotFound, queryKeys, usePartner } from '../lib/queries';

/** View details (/app/partners/:partnerId/members/:userId): who the person is and the accounts they can use. */
export function PartnerMemberPage() {
  const { partnerId = '', userId = '' } = useParams();
  const partner = usePartner(partnerId);
  const member = useQuery({
    queryKey: queryKeys.partnerMember(partnerId, userId),
    queryFn: () => api.getPartnerMember(partnerId, userId),
  });
  const partnerPath = `/app/partners/${encodeURIComponent(partnerId)}`;
  // Reset MFA is offered exactly when the server's policy allows it (who acts on whom, host admins for guests).
  const canResetMfa = member.data?.permissions.resetMfa ?? false;
  // Reset password likewise: an active guest, and the server's policy lets this viewer reset theirs.
  const canResetPassword = member.data?.permissions.resetPassword ?? false;

  return (
    <Stack maw={900}>
      <Breadcrumbs aria-label="Breadcrumb">
        <Anchor component={Link} to="/app/partners" size="sm">
          Partners
        </Anchor>
        <Anchor component={Link} to={partnerPath} size="sm">
          {partner.data?.name ?? 'Partner'}
        </Anchor>
        {member.data && (
          <Text size="sm" c="dimmed" aria-current="page">
            {memberName(member.data)}
          </Text>
        )}
      </Breadcrumbs>
      {member.isPending ? (
        <Loading />
      ) : member.data ? (
        <MemberDetails
          partnerId={partnerId}
          member={member.data}
          canResetMfa={canResetMfa}
          canResetPassword={canResetPassword}
          accessEnd={
            partner.data?.permissions.setGuestAccessEnd && member.data.partnerRole !== 'host_admin'
              ? (partner.data.members.find((m) => m.userId === userId)?.accessEndsAt ?? null)
              : undefined
          }
        />
      ) : (
        <>
          <Title order={1}>{isNotFound(member.error) ? 'Member not found' : 'Member details'}</Title>
          <ProblemAlert error={member.error} />
          <Anchor component={Link} to={partnerPath}>
            Back to the partner
          </Anchor>
        </>
      )}
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text component="div" size="sm" mt={2}>
        {children}
      </Text>
    </div>
  );
}

function MemberDetails({
  partnerId,
  member,
  canResetMfa,
  canResetPassword,
  accessEnd,
}: {
  partnerId: string;
  member: PartnerMemberDetail;
  canResetMfa: boolean;
  canResetPassword: boolean;
  /** The guest's **Guest access ends on** when the viewer may change it (null: no end), else undefined. */
  accessEnd: string | null | undefined;
}) {
  return (
    <Stack gap="lg">
      <Title order={1}>{memberName(member)}</Title>
      <Paper withBorder p="lg" radius="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <Field label="Email">{member.email}</Field>
          <Field label="Role">{partnerRoleLabel[member.partnerRole] ?? member.partnerRole}</Field>
          <Field label="Status">
            <Badge variant="light" color={memberStatusColor[member.status] ?? 'gray'}>
              {memberStatusLabel[member.status] ?? member.status}
            </Badge>
          </Field>
        </SimpleGrid>
      </Paper>
      {canResetPassword && (
        <ResetGuestPasswordSection
          partnerId={partnerId}
          userId={member.userId}
          name={memberName(member)}
          email={member.email}
        />
      )}
      {accessEnd !== undefined && member.status !== 'deactivated' && (
        <GuestAccessEndSection
          key={accessEnd ?? 'none'}
          partnerId={partnerId}
          userId={member.userId}
          name={memberName(member)}
          accessEndsAt={accessEnd}
        />
      )}
      {canResetMfa && <ResetMfaSection userId={member.userId} name={memberName(member)} />}
      <MemberAccountsSection partnerId={partnerId} userId={member.userId} />
      <UserDevicesSection userId={member.userId} name={memberName(member)} />
    </Stack>
  );
}
