import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import './focus.css';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { createQueryClient } from './queryClient';
import { Root } from './Root';

const queryClient = createQueryClient();
const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element');

// A chunk of an older release is gone after an upgrade (a page opened before it, then a lazy route):
// load the page again to get the new release's files rather than leave a broken page; not twice within
// a minute, so a chunk that fails for another reason (the network) cannot make the page reload forever.
window.addEventListener('vite:preloadError', (event) => {
  const key = 'gatehouse.reloadedForMissingChunk';
  const last = Number(sessionStorage.getItem(key) ?? 0);
  if (Date.now() - last < 60_000) return;
  sessionStorage.setItem(key, String(Date.now()));
  event.preventDefault();
  window.location.reload();
});

const app = (
  <Root queryClient={queryClient}>
    <BrowserRouter>
      <App />
    </BrowserRouter>
  </Root>
);
// The pre-rendered sign-in page inlines the styles it needs and loads the whole stylesheet without
// letting it hold back the first paint (media="print", see scripts/prerender-web.mjs): apply it now.
for (const link of document.querySelectorAll<HTMLLinkElement>('link[data-deferred-stylesheet]')) link.media = 'all';

if (container.hasChildNodes()) {
  // The server sent the page already rendered (the sign-in page, web/src/prerender.tsx): let the browser
  // paint it first, then take it over as it is (hydration is the longest task of the start). A background
  // tab paints no frames: the timer starts it there.
  let started = false;
  const hydrate = () => {
    if (started) return;
    started = true;
    hydrateRoot(container, app);
  };
  requestAnimationFrame(() => setTimeout(hydrate, 0));
  setTimeout(hydrate, 200);
} else {
  createRoot(container).render(app);
}
