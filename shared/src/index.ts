export * from './errors';
export * from './limits';
export * from './api';
export * from './time';
