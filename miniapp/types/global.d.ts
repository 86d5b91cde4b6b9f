/// <reference types="@tarojs/taro" />

declare module '*.png';
declare module '*.gif';
declare module '*.jpg';
declare module '*.jpeg';
declare module '*.svg';
declare module '*.css';
declare module '*.scss';
declare module '*.sass';

declare namespace NodeJS {
  interface ProcessEnv {
    NODE_ENV: 'development' | 'production';
    /** The platform being built. */
    TARO_ENV: 'weapp' | 'swan' | 'alipay' | 'h5' | 'rn' | 'tt' | 'qq' | 'jd' | 'harmony' | 'jdrn';
    TARO_APP_ID: string;
  }
}

/**
 * Origin of the BFF, set by `defineConstants` in config/index.ts.
 * `''` on H5 (served by the BFF, so `/api/v1/...` is same-origin); `http://127.0.0.1:3000` on weapp
 * unless TARO_APP_API_BASE says otherwise at build time.
 */
declare const API_BASE: string;

/**
 * WeChat subscribe-message template id for stall suspensions and schedule changes, from
 * TARO_APP_STALL_TEMPLATE_ID at build time (config/index.ts). `''` when unset: the prompt is skipped.
 */
declare const STALL_TEMPLATE_ID: string;

/**
 * WeChat subscribe-message template id for report progress (立案, 派遣, 结案…), from
 * TARO_APP_REPORT_TEMPLATE_ID at build time (config/index.ts). `''` when unset: the prompt is skipped.
 */
declare const REPORT_TEMPLATE_ID: string;
