// pm2 process file (docs/stack.md §8, docs/operations.md). `.cjs` because package.json says "type": "module".
//   npm run build && pm2 start ecosystem.config.cjs               # sim mode
//   pm2 start ecosystem.config.cjs --env paper                     # KIS paper (keys in .env)
//   KIS_LIVE_CONFIRM=I_UNDERSTAND pm2 start ecosystem.config.cjs --env live
// One daemon process only: the order worker, the token and the SQLite trade log belong to one daemon.
// The second app is the watchdog, a one-shot check run by pm2 cron (`pm2 start ecosystem.config.cjs --only kis-trader`
// leaves it out).
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
  }, {
    // The silence alarm (docs/operations.md "Silence alarm"): every minute, a short run that reads the
    // daemon's heartbeat from the trade log and alerts through alerts.telegram / alerts.webhook when it
    // is older than alerts.silenceMinutes during a session. It never touches Redis, KIS or orders.
    name: 'kis-trader-watchdog',
    script: './dist/cli/main.js',
    args: 'watchdog',
    exec_mode: 'fork',
    instances: 1,
    cron_restart: '* * * * *',
    autorestart: false,          // one check per cron tick, not a loop
    time: false,
    merge_logs: true,
    out_file: './logs/watchdog.log',
    error_file: './logs/watchdog.log',
    env: { NODE_ENV: 'production', TZ: 'Asia/Seoul', KIS_TRADER_MODE: 'sim' },
    env_paper: { KIS_TRADER_MODE: 'paper' },
    env_live: { KIS_TRADER_MODE: 'live' },
  }],
};
