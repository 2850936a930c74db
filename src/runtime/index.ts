export { INSTALL_DIR, envFileVars, resolveHome } from './home.js';
export type { Home } from './home.js';
export { pidAlive } from './process.js';
