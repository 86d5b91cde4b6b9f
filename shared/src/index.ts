export * from './errors';
export * from './limits';
export * from './api';
export * from './time';
export * from './geo';
export * from './stall-schedule';
export * from './stalls';
export * from './reports';
