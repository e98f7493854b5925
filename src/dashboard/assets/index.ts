import { commonJs } from './common-js';
import { kioskHtml, kioskJs } from './kiosk-page';
import { operatorHtml } from './operator-page';
import { operatorJs } from './operator-js';
import { styleCss } from './style-css';

/**
 * The pages and their files, as strings: the app ships as dist/ only (no src/, no build step for the UI),
 * and nothing is loaded from outside the gate.
 */
export const assets: Record<string, { type: string; body: string }> = {
  'operator.html': { type: 'text/html', body: operatorHtml },
  'kiosk.html': { type: 'text/html', body: kioskHtml },
  'app.css': { type: 'text/css', body: styleCss },
  'common.js': { type: 'text/javascript', body: commonJs },
  'operator.js': { type: 'text/javascript', body: operatorJs },
  'kiosk.js': { type: 'text/javascript', body: kioskJs },
};
