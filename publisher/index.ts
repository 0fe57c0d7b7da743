/**
 * The publisher service: cloud browsers that publish their tab into the SFU and take
 * input through CDP. Only publisher/ touches puppeteer and CDP.
 */
export { CloudBrowser, type CloudBrowserEvents, type PublishTarget } from './CloudBrowser.js';
export { loadPublisherConfig, type PublisherConfig } from './config.js';
export { InputState, toCdpCommands, type CdpCommand, type Viewport } from './input.js';
