import { PasswordInput, type PasswordInputProps } from '@mantine/core';

/**
 * A PasswordInput whose visibility toggle is not labelled "password", so that the field's
 * own label is the only element found by that name. Unlike Mantine's own field, it also
 * marks the input aria-invalid while it shows an error.
 */
export function PasswordField(props: PasswordInputProps) {
  return (
    <PasswordInput
      aria-invalid={props.error ? true : undefined}
      {...props}
      visibilityToggleButtonProps={{ 'aria-label': 'Show characters' }}
    />
  );
}
