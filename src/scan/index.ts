export { selectCandidates, rankPoints, RANK_POINTS_BASE, kindByCode } from './universe.js';
export type { UniverseFilter, Candidate, Rejection, Selection } from './universe.js';
export { compileNamePatterns, matchNamePattern } from './name-patterns.js';
export type { NamePattern } from './name-patterns.js';
export { runScan } from './scan-job.js';
export type { ScanDeps, ScanInput, ScanResult } from './scan-job.js';
export { admits } from './strategy-universe.js';
