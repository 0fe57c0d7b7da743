/**
 * The publisher service: cloud browsers that publish their tab into the SFU and take
 * input through CDP. Only publisher/ touches puppeteer and CDP.
 */
export { BrowserHost, type BrowserHostOptions } from './BrowserHost.js';
export { CloudBrowser, type CloudBrowserEvents, type PublishTarget } from './CloudBrowser.js';
export { loadPublisherConfig, type PublisherConfig, SAME_USER } from './config.js';
export { WELCOME_URL } from './internalPages.js';
export { NavigationError, type NavigationFailure } from './navigation.js';
export { InputState, toCdpCommands, type CdpCommand, type Viewport } from './input.js';
