import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { StrictMode, type ReactNode } from 'react';
import { cssVariablesResolver, theme } from './theme';

/**
 * The providers around the app, the same in the browser (main.tsx, with a BrowserRouter) and in the
 * build-time render of the sign-in page (prerender.tsx, with a StaticRouter): hydration needs one tree.
 */
export function Root({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  return (
    <StrictMode>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto">
        {/* Bottom right: at the top they covered the header's Sign out button for seconds after each action. */}
        <Notifications position="bottom-right" />
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </MantineProvider>
    </StrictMode>
  );
}
