import {
  createTheme,
  darken,
  DEFAULT_THEME,
  luminance,
  type AlertProps,
  type AnchorProps,
  type CSSVariablesResolver,
  type ModalProps,
  type NotificationProps,
} from '@mantine/core';

/**
 * Gatehouse's Mantine theme. Mantine's default light palette falls short of WCAG 2.2 AA contrast
 * (4.5:1 for normal text) in many places: white on the filled blue/indigo/red buttons (3.3–4.3:1),
 * the grey "dimmed" helper text (3.3:1), links (blue.6, 3.6:1), and the text of light badges and alerts
 * (yellow.9 on yellow.1 is 2.7:1). The fixes live here, once, rather than page by page; the browser
 * tests' axe-core scan (test/helpers/axe.ts) checks every page they visit.
 */

/** WCAG 2.2 AA, 1.4.3: normal-size text needs 4.5:1 against its background. */
const MIN_CONTRAST = 4.5;
const WHITE = '#ffffff';

function contrast(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

/**
 * The lightest tone of the palette, from `from` to shade 9, then shade 9 darkened step by step, that has
 * AA contrast with every one of `others` (the backgrounds it is drawn on, or the text drawn on it).
 */
function accessibleTone(shades: readonly string[], from: number, others: string[]): string {
  const meets = (color: string) => others.every((other) => contrast(color, other) >= MIN_CONTRAST);
  for (let shade = from; shade <= 9; shade += 1) {
    if (meets(shades[shade]!)) return shades[shade]!;
  }
  for (let amount = 0.05; amount < 1; amount += 0.05) {
    const darker = darken(shades[9]!, amount);
    if (meets(darker)) return darker;
  }
  return '#000000';
}

const gray = DEFAULT_THEME.colors.gray;

/**
 * Light colour scheme: for every palette colour, the variables Mantine's variants draw text with.
 * - filled (buttons, filled badges; also `c="red"` text via -text): white text on it, and it as text on white;
 * - light-color (light and subtle buttons, light badges, alert titles): on the colour's light background
 *   (shade 1, shade 2 on hover), on white, and on the striped table rows (gray.0/gray.1);
 * - outline: on white and striped rows.
 */
function lightColorVariables(): Record<string, string> {
  const variables: Record<string, string> = {};
  const pageBackgrounds = [WHITE, gray[0], gray[1]];
  for (const [name, shades] of Object.entries(DEFAULT_THEME.colors)) {
    const filled = accessibleTone(shades, 6, pageBackgrounds);
    variables[`--mantine-color-${name}-filled`] = filled;
    variables[`--mantine-color-${name}-filled-hover`] = darken(filled, 0.12);
    variables[`--mantine-color-${name}-light-color`] = accessibleTone(shades, 7, [
      shades[1]!,
      shades[2]!,
      ...pageBackgrounds,
    ]);
    variables[`--mantine-color-${name}-outline`] = filled;
  }
  return variables;
}

/** Links: on the page and on every light background (alerts, light badges), as they sit inside alerts. */
const anchor = accessibleTone(DEFAULT_THEME.colors.indigo, 7, [
  WHITE,
  gray[0],
  gray[1],
  ...Object.values(DEFAULT_THEME.colors).map((shades) => shades[1]!),
]);

const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    ...lightColorVariables(),
    // gray.7 instead of gray.6: 7.4:1 on gray.1 instead of 3.3:1 on white.
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': anchor,
    '--mantine-color-error': 'var(--mantine-color-red-filled)',
  },
  dark: {},
});

export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  // Plain objects rather than Modal.extend() and the like: .extend would bring each component's code (the
  // modal's focus trap, scroll lock…) into every page's first chunk, the sign-in page's included.
  components: {
    // Links are told apart from the text around them by an underline, not only by colour (WCAG 1.4.1).
    Anchor: { defaultProps: { underline: 'always' } satisfies Partial<AnchorProps> },
    // The close buttons are icons (an ×): give them a name a screen reader can say.
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } satisfies Partial<ModalProps> },
    Notification: {
      defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } satisfies Partial<NotificationProps>,
    },
    Alert: { defaultProps: { closeButtonLabel: 'Close' } satisfies Partial<AlertProps> },
  },
});

export { cssVariablesResolver };
