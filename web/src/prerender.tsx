import { renderToString } from 'react-dom/server';
import { StaticRouter } from 'react-router';
import { App } from './App';
import { createQueryClient } from './queryClient';
import { Root } from './Root';

/**
 * Build-time render (scripts/prerender-web.mjs): the HTML of the app at `url` before any data has
 * arrived, which the server sends so the page shows before its scripts run; main.tsx then hydrates it.
 * Only pages that render their first frame without data are worth it (the sign-in form).
 */
export function render(url: string): string {
  return renderToString(
    <Root queryClient={createQueryClient()}>
      <StaticRouter location={url}>
        <App />
      </StaticRouter>
    </Root>,
  );
}
