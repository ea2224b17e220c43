import {
  createTheme,
  darken,
  DEFAULT_THEME,
  lighten,
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
 * tests' axe-core scan (test/helpers/axe.ts) checks every page they visit, in both colour schemes: the app
 * follows the system's light or dark preference.
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

/**
 * The dark scheme's counterpart: the darkest tone of the palette, from `from` down to shade 0, then shade 0
 * lightened step by step, that has AA contrast with every one of `others`.
 */
function accessibleLightTone(shades: readonly string[], from: number, others: string[]): string {
  const meets = (color: string) => others.every((other) => contrast(color, other) >= MIN_CONTRAST);
  for (let shade = from; shade >= 0; shade -= 1) {
    if (meets(shades[shade]!)) return shades[shade]!;
  }
  for (let amount = 0.05; amount < 1; amount += 0.05) {
    const lighter = lighten(shades[0]!, amount);
    if (meets(lighter)) return lighter;
  }
  return WHITE;
}

const gray = DEFAULT_THEME.colors.gray;
const dark = DEFAULT_THEME.colors.dark;

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

/**
 * The dark scheme's page backgrounds: the body and cards (dark.7), striped and hovered rows (dark.6, dark.5),
 * and the public pages' background (dark.8, --gatehouse-page-background).
 */
const darkBackgrounds = [dark[5]!, dark[6]!, dark[7]!, dark[8]!];

/** The background Mantine's light variant has in the dark scheme (alerts, light badges), and on hover. */
const darkLightBackgrounds = (shades: readonly string[]) => [darken(shades[9]!, 0.5), darken(shades[9]!, 0.3)];

/**
 * Dark colour scheme (the system's preference, MantineProvider defaultColorScheme="auto"): Mantine draws
 * `c="red"` text and outlines with shade 4 (3.4:1 for red on dark.7), filled buttons with shade 8 under
 * white text (4.1:1 for red), and links with indigo.4 (3:1 on a yellow alert). For every palette colour:
 * - filled: white text on it;
 * - text (`c="red"`) and outline: on the dark backgrounds and on the colour's light background;
 * - light-color: on the colour's light background and on the dark backgrounds (subtle buttons).
 */
function darkColorVariables(): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [name, shades] of Object.entries(DEFAULT_THEME.colors)) {
    const filled = accessibleTone(shades, 8, [WHITE]);
    variables[`--mantine-color-${name}-filled`] = filled;
    variables[`--mantine-color-${name}-filled-hover`] = darken(filled, 0.12);
    const onDark = [...darkBackgrounds, ...darkLightBackgrounds(shades)];
    variables[`--mantine-color-${name}-text`] = accessibleLightTone(shades, 4, onDark);
    variables[`--mantine-color-${name}-outline`] = accessibleLightTone(shades, 4, darkBackgrounds);
    variables[`--mantine-color-${name}-light-color`] = accessibleLightTone(shades, 0, onDark);
  }
  return variables;
}

const darkAnchor = accessibleLightTone(DEFAULT_THEME.colors.indigo, 4, [
  ...darkBackgrounds,
  ...Object.values(DEFAULT_THEME.colors).flatMap(darkLightBackgrounds),
]);

const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    ...lightColorVariables(),
    // gray.7 instead of gray.6: 7.4:1 on gray.1 instead of 3.3:1 on white.
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': anchor,
    '--mantine-color-error': 'var(--mantine-color-red-filled)',
    '--gatehouse-page-background': 'var(--mantine-color-gray-0)',
  },
  dark: {
    ...darkColorVariables(),
    // dark.1 instead of dark.2: 4.0:1 on dark.7 before.
    '--mantine-color-dimmed': accessibleLightTone(dark, 2, darkBackgrounds),
    '--mantine-color-anchor': darkAnchor,
    '--mantine-color-error': 'var(--mantine-color-red-text)',
    '--gatehouse-page-background': 'var(--mantine-color-dark-8)',
  },
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
