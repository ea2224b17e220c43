import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { StrictMode, type ReactNode } from 'react';
import { cssVariablesResolver, theme } from './theme';

/** Just under Mantine's modals (getDefaultZIndex('modal'), 200) and over the app shell (100). */
const TOASTS_Z_INDEX = 199;

/**
 * The providers around the app, the same in the browser (main.tsx, with a BrowserRouter) and in the
 * build-time render of the sign-in page (prerender.tsx, with a StaticRouter): hydration needs one tree.
 */
export function Root({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  return (
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto">
        {/* Bottom right: at the top they covered the header's Sign out button for seconds after each action.
            Under the modals (200) rather than over them (Mantine's 400): on a phone a stack of toasts covered
            the buttons of a dialog opened right after; a dialog now always comes first, the toasts wait
            behind its overlay (still announced: role="status"). At most 3 at a time. */}
        <Notifications position="bottom-right" zIndex={TOASTS_Z_INDEX} limit={3} />
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </MantineProvider>
    </StrictMode>
  );
}
