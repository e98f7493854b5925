// The bar lives in src/progress.ts, shared with the command-line tools; training code imports it from here.
export { Progress } from '../progress';
