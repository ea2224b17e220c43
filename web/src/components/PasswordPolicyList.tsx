import { Group, List, Text, ThemeIcon, VisuallyHidden } from '@mantine/core';
import type { PasswordPolicy, PasswordRuleId } from '../api';
import { useEffect, useState } from 'react';
import { ruleState, type RuleState } from '../lib/passwordRules';

type Strength = (password: string, userInputs: string[]) => number;

/** Loads the strength estimator (a chunk of its own, with its dictionaries) once the checklist shows. */
function useStrengthEstimator(): Strength | null {
  const [strength, setStrength] = useState<Strength | null>(null);
  useEffect(() => {
    let mounted = true;
    import('../lib/passwordStrength').then(
      (module) => mounted && setStrength(() => module.passwordStrength),
      () => undefined, // without it the rule is checked when the form is sent, as before
    );
    return () => {
      mounted = false;
    };
  }, []);
  return strength;
}

const mark: Record<RuleState, { symbol: string; color: string; spoken: string }> = {
  met: { symbol: '✓', color: 'teal', spoken: 'met' },
  unmet: { symbol: '✗', color: 'red', spoken: 'not met' },
  unknown: { symbol: '•', color: 'gray', spoken: 'checked when you send' },
};

interface PasswordPolicyListProps {
  policy: PasswordPolicy;
  password: string;
  email: string;
  /** Server-only rules that the last refusal named, for the password it refused. */
  failedOnServer: ReadonlySet<PasswordRuleId>;
}

/** The workspace password policy as a live checklist. */
export function PasswordPolicyList({ policy, password, email, failedOnServer }: PasswordPolicyListProps) {
  const strength = useStrengthEstimator();
  return (
    <div>
      <Text size="sm" fw={500} mb={6}>
        Your password must be
      </Text>
      <List aria-label="Password policy" spacing={6} size="sm" listStyleType="none">
        {policy.rules.map((rule) => {
          const state = ruleState(rule.id, password, { minLength: policy.minLength, email, failedOnServer, strength });
          const { symbol, color, spoken } = mark[state];
          return (
            <List.Item key={rule.id} data-rule={rule.id} data-state={state}>
              <Group gap={8} wrap="nowrap">
                <ThemeIcon
                  size={18}
                  radius="xl"
                  variant={state === 'unknown' ? 'light' : 'filled'}
                  color={color}
                  aria-hidden
                >
                  <Text span size="xs" fw={700} lh={1}>
                    {symbol}
                  </Text>
                </ThemeIcon>
                <Text span size="sm" c={state === 'unmet' ? 'red' : undefined}>
                  {rule.label}
                  <VisuallyHidden> ({spoken})</VisuallyHidden>
                </Text>
              </Group>
            </List.Item>
          );
        })}
      </List>
    </div>
  );
}
