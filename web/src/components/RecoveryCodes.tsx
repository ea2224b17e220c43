import { Alert, Button, CopyButton, Group, List, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { recoveryCodesText } from '../lib/mfa';

interface RecoveryCodesProps {
  codes: string[];
  workspaceName: string;
  onDone: () => void;
}

/** The codes with the shown-once warning, **Copy**, **Download** and **I have saved my recovery codes**. */
function RecoveryCodesContent({ codes, workspaceName, onDone }: RecoveryCodesProps) {
  const text = recoveryCodesText(codes, workspaceName);

  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'gatehouse-recovery-codes.txt';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  }

  return (
    <Stack>
      <Alert color="yellow" variant="light" title="Shown once">
        These codes are shown only now. Each one works once in place of your authenticator app or passkey, for example
        if you lose your phone or security key. Copy or download them and keep them somewhere safe.
      </Alert>
      <List
        aria-label="Recovery codes"
        listStyleType="none"
        style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(10rem, 1fr))', gap: '4px 16px' }}
      >
        {codes.map((code) => (
          <List.Item key={code}>
            <Text ff="monospace" size="lg">
              {code}
            </Text>
          </List.Item>
        ))}
      </List>
      <Group>
        <CopyButton value={text}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
        <Button variant="default" onClick={download}>
          Download
        </Button>
        <Button onClick={onDone}>I have saved my recovery codes</Button>
      </Group>
    </Stack>
  );
}

/** Ten recovery codes, shown once, in the page: copy or download them, then dismiss. */
export function RecoveryCodes(props: RecoveryCodesProps) {
  return (
    <Paper withBorder p="lg" radius="md" component="section" aria-labelledby="recovery-codes-title">
      <Stack>
        <Title order={2} size="h3" id="recovery-codes-title">
          Save your recovery codes
        </Title>
        <RecoveryCodesContent {...props} />
      </Stack>
    </Paper>
  );
}

/** The same in a dialog that only **I have saved my recovery codes** closes. */
export function RecoveryCodesDialog(props: RecoveryCodesProps) {
  return (
    <Modal
      opened
      onClose={props.onDone}
      title="Save your recovery codes"
      centered
      closeOnClickOutside={false}
      closeOnEscape={false}
      withCloseButton={false}
    >
      <RecoveryCodesContent {...props} />
    </Modal>
  );
}
