import { TextInput } from '@mantine/core';
import { todayInput } from '../lib/accessEnds';

interface AccessEndInputProps {
  /** **Access until** or **Guest access ends on**. */
  label: string;
  /** The chosen day (YYYY-MM-DD), or '' for no end. */
  value: string;
  onChange: (day: string) => void;
  /** The server's words for this field, if it refused the day. */
  error?: string;
}

/** An optional last day of access (SPEC §8a): access lasts through that day, then ends by itself. */
export function AccessEndInput({ label, value, onChange, error }: AccessEndInputProps) {
  return (
    <TextInput
      type="date"
      label={label}
      description="Optional. Access ends by itself after this day; leave empty for no end."
      min={todayInput()}
      value={value}
      onChange={(event) => onChange(event.currentTarget.value)}
      error={error}
    />
  );
}
