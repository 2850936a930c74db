/**
 * The dependency rule of docs/architecture.md §4: imports point inward, toward domain/.
 * Each entry: a folder, the src folders it may import, and the npm packages it may import.
 * Node built-ins are allowed only where `core` is true. src/redis/ holds the Redis primitives
 * (rate budget script, locks) that kis/ and app.ts use through domain ports.
 */
const layers = [
  { from: 'domain', src: [], pkgs: [], core: false },
  { from: 'config', src: ['domain'], pkgs: ['zod'], core: true },
  { from: 'market', src: ['domain'], pkgs: [], core: false },
  { from: 'signals', src: ['domain', 'market'], pkgs: ['zod'], core: false },
  { from: 'orders', src: ['domain', 'market'], pkgs: [], core: false },
  { from: 'scan', src: ['domain', 'market'], pkgs: [], core: false },
  { from: 'kis', src: ['domain', 'market'], pkgs: ['undici', 'zod', 'ws'], core: true },
  { from: 'store', src: ['domain'], pkgs: ['better-sqlite3'], core: true },
  // the simulator in three parts (docs/architecture.md §3): the pure exchange, the synthetic market that
  // feeds it (and speaks its tick and auction types), and the KIS wire that composes both over HTTP
  { from: 'exchange', src: ['domain', 'market'], pkgs: [], core: false },
  { from: 'synthetic', src: ['domain', 'market', 'exchange'], pkgs: [], core: false },
  { from: 'sim', src: ['domain', 'market', 'exchange', 'synthetic'], pkgs: ['ws'], core: true },
  { from: 'redis', src: ['domain'], pkgs: ['ioredis'], core: true },
  { from: 'queues', src: ['domain', 'signals', 'orders', 'scan'], pkgs: ['bullmq', 'ioredis', 'zod'], core: true },
  { from: 'jobs', src: ['domain', 'market', 'scan', 'signals', 'orders'], pkgs: [], core: false },
  { from: 'review', src: ['domain'], pkgs: [], core: false },
  // the backtester trades on the exchange and the synthetic market, never over the wire (sim/); scan for a strategy's universe
  { from: 'backtest', src: ['domain', 'market', 'signals', 'orders', 'scan', 'exchange', 'synthetic', 'review'], pkgs: [], core: true },
  { from: 'cli', src: ['domain', 'config', 'store', 'backtest', 'market', 'runtime', 'review', 'signals'], pkgs: ['commander', 'cli-table3'], core: true },
];

// runtime/ (what the daemon and the CLI share: docs/architecture.md §3) may import anything; only cli/ and the roots import it.
const folders = ['domain', 'config', 'market', 'signals', 'orders', 'scan', 'kis', 'store', 'exchange', 'synthetic', 'sim', 'redis', 'queues', 'jobs', 'review', 'backtest', 'cli', 'runtime'];
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const forbidden = [];
// Composition roots may import anything, like app.ts: the CLI's program and what builds its clients.
const compositionRoots = '^src/cli/(main|compose|sim-command|doctor|doctor-network)\\.ts$';

for (const l of layers) {
  const notAllowed = folders.filter((f) => f !== l.from && !l.src.includes(f));
  forbidden.push({
    name: `${l.from}-imports-only-${l.src.join('-') || 'nothing'}`,
    severity: 'error',
    from: { path: `^src/${l.from}/`, pathNot: compositionRoots },
    to: { path: [`^src/(${notAllowed.join('|')})/`, '^src/(app|main|schedule|log)\\.ts$'] },
  });
  const pkgAllowed = l.pkgs.length ? `^node_modules/(${l.pkgs.map(esc).join('|')})/` : '^$never';
  forbidden.push({
    name: `${l.from}-packages`,
    severity: 'error',
    from: { path: `^src/${l.from}/`, pathNot: compositionRoots },
    to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: pkgAllowed },
  });
  if (!l.core) {
    forbidden.push({
      name: `${l.from}-no-node-builtins`,
      severity: 'error',
      from: { path: `^src/${l.from}/` },
      to: { dependencyTypes: ['core'] },
    });
  }
}
forbidden.push({
  name: 'schedule-imports-domain-market-croner',
  severity: 'error',
  from: { path: '^src/schedule\\.ts$' },
  to: { path: [`^src/(${folders.filter((f) => f !== 'domain' && f !== 'market').join('|')})/`] },
});
forbidden.push({
  name: 'other-folders-use-index',
  comment: 'Each folder is imported through its index.ts (docs/architecture.md §3).',
  severity: 'error',
  from: { path: '^src/([^/]+)/' },
  to: { path: '^src/([^/]+)/(?!index\\.ts$)', pathNot: '^src/$1/' },
});
forbidden.push({ name: 'no-circular', severity: 'error', from: {}, to: { circular: true } });
forbidden.push({ name: 'not-to-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } });

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
