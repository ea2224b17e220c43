// Layer and cycle rules for `npm run lint:deps` (dependency-cruiser). The layers, lowest first:
//   domain → crypto, db → mail → services → http → cli.
// A layer may import its own folder and the layers below it, never one above. Tests (*.test.ts, test/)
// may import anything. See docs/architecture.md ("Dependencies point downwards only").

const notTests = '(\\.test\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'Import cycles in src/ make start-up order fragile and hide which module owns a rule. Move the shared ' +
        'piece down a layer (a pure rule belongs in src/domain) so the arrows point one way.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'An import dependency-cruiser cannot resolve escapes every rule below (for example a `.js` import ' +
        'with no `.ts` file behind it). Fix the path, or the resolver options in this file.',
      from: { path: '^(src|web/src|extension/src)/' },
      to: { couldNotResolve: true },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment:
        'src/domain is the bottom layer: pure rules and the vocabulary (roles, statuses) everyone else uses. ' +
        'It imports nothing of ours but other domain files; the schema and services import from it, not the other way.',
      from: { path: '^src/domain/', pathNot: notTests },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'crypto-imports-only-domain',
      severity: 'error',
      comment:
        'src/crypto (sealing, hashing, tokens) sits just above the domain: it may use src/domain and itself, ' +
        'never the database, mail, services, HTTP or the CLI. What it needs from outside comes in as arguments.',
      from: { path: '^src/crypto/', pathNot: notTests },
      // src/config.ts parses settings and imports nothing of ours (see config-is-a-leaf): the master key's format.
      to: { path: '^src/', pathNot: '^src/((domain|crypto)/|config\\.ts$)' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment:
        'src/config.ts (reading and checking settings) and src/logger.ts are used by every layer, so they ' +
        'import nothing of ours; otherwise they would pull the layers above into the ones below.',
      from: { path: '^src/(config|logger)\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'db-imports-only-domain',
      severity: 'error',
      comment:
        'src/db (schema, migrations, connections) sits just above the domain: it may use src/domain (for ' +
        'example the role and status vocabulary) and itself, never crypto, mail, services, HTTP or the CLI.',
      from: { path: '^src/db/', pathNot: notTests },
      to: { path: '^src/', pathNot: '^src/(domain|db)/' },
    },
    {
      name: 'mail-not-above-itself',
      severity: 'error',
      comment:
        'src/mail (outbox, templates) sits below services: it may use domain, crypto and db, never services, ' +
        'HTTP or the CLI. What it needs from services (the workspace keyring) comes in through a small ' +
        'interface defined in mail (FieldSealer), handed over by the app.',
      from: { path: '^src/mail/', pathNot: notTests },
      to: { path: '^src/(services|http|cli)/' },
    },
    {
      name: 'services-not-http-or-cli',
      severity: 'error',
      comment:
        'src/services hold the use cases; src/http and src/cli are two front doors onto them. A service ' +
        'never imports a route, a plugin or a command: what it needs comes in as arguments.',
      from: { path: '^src/services/', pathNot: notTests },
      to: { path: '^src/(http|cli)/' },
    },
    {
      name: 'http-not-cli',
      severity: 'error',
      comment:
        'src/http is one front door, src/cli another (which may start the HTTP server). HTTP never imports ' +
        'the CLI; shared pieces belong in services or below.',
      from: { path: '^src/http/', pathNot: notTests },
      to: { path: '^src/cli/' },
    },
    {
      name: 'web-not-server-code',
      severity: 'error',
      comment:
        'web/ is the browser app: it talks to the server over the HTTP API only. Its API types come from ' +
        'the OpenAPI document (web/src/api/), never from server code in src/ (which would pull Node-only ' +
        'modules into the browser bundle).',
      from: { path: '^web/' },
      to: { path: '^src/' },
    },
    {
      name: 'extension-not-server-or-web-code',
      severity: 'error',
      comment:
        'extension/ is the browser extension: it runs in the browser and talks to the server over the HTTP ' +
        'API only. It imports neither server code in src/ (Node-only modules) nor the web app in web/; what ' +
        'it shares with them is the API, not modules.',
      from: { path: '^extension/' },
      to: { path: '^(src|web)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    // Type-only imports count: a cycle through `import type` still ties the modules together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
