// pm2 process file (docs/stack.md §8, docs/operations.md). `.cjs` because package.json says "type": "module".
//   npm run build && pm2 start ecosystem.config.cjs               # sim mode
//   pm2 start ecosystem.config.cjs --env paper                     # KIS paper (keys in .env)
//   KIS_LIVE_CONFIRM=I_UNDERSTAND pm2 start ecosystem.config.cjs --env live
// One process only: the order worker, the token and the SQLite trade log belong to one daemon.
module.exports = {
  apps: [{
    name: 'kis-trader',
    script: './dist/main.js',
    exec_mode: 'fork',
    instances: 1,
    // The daemon reads .env itself (src/runtime/home.ts), so `npm start` and pm2 see the same keys.
    node_args: ['--enable-source-maps'],
    wait_ready: true,            // main.ts sends 'ready' after Redis, store, token and the first reconcile
    listen_timeout: 60000,
    kill_timeout: 20000,         // above daemon.shutdownDeadlineMs (15 s): pm2 sends SIGINT, then SIGKILL after this
    max_memory_restart: '512M',
    exp_backoff_restart_delay: 1000,
    min_uptime: 10000,
    max_restarts: 10,
    stop_exit_codes: [78],       // a config error stays stopped instead of crash-looping
    time: false,                 // a prefix would break pino's JSON lines
    treekill: false,             // the signal goes to the daemon only; it stops its private redis-server last
    merge_logs: true,
    out_file: './logs/out.log',
    error_file: './logs/err.log',
    env: { NODE_ENV: 'production', TZ: 'Asia/Seoul', KIS_TRADER_MODE: 'sim' },
    env_paper: { KIS_TRADER_MODE: 'paper' },
    env_live: { KIS_TRADER_MODE: 'live' },
  }],
};
