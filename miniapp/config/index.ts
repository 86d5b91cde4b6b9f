import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';
import devConfig from './dev';
import prodConfig from './prod';

/** The workspace package `@cityloop/shared` is TypeScript source; Taro compiles it like app code. */
const sharedSrc = path.resolve(__dirname, '../../shared/src');

// https://docs.taro.zone/docs/config
export default defineConfig<'webpack5'>(async (merge) => {
  const taroEnv = process.env.TARO_ENV;
  // H5 is served by the BFF itself, so it calls relative `/api/v1/...` URLs.
  // Mini-program requests need an absolute URL; override with TARO_APP_API_BASE (e.g. an https domain).
  const apiBase = process.env.TARO_APP_API_BASE ?? (taroEnv === 'h5' ? '' : 'http://127.0.0.1:3000');

  const baseConfig: UserConfigExport<'webpack5'> = {
    projectName: 'cityloop',
    date: '2025-01-01',
    designWidth: 750,
    deviceRatio: {
      640: 2.34 / 2,
      750: 1,
      375: 2,
      828: 1.81 / 2,
    },
    sourceRoot: 'src',
    outputRoot: `dist/${taroEnv}`,
    plugins: [],
    defineConstants: {
      API_BASE: JSON.stringify(apiBase),
      // Subscribe-message template for stall changes; '' skips the WeChat prompt after 关注.
      STALL_TEMPLATE_ID: JSON.stringify(process.env.TARO_APP_STALL_TEMPLATE_ID ?? ''),
      // Subscribe-message template for report progress; '' skips the WeChat prompt before 提交.
      REPORT_TEMPLATE_ID: JSON.stringify(process.env.TARO_APP_REPORT_TEMPLATE_ID ?? ''),
    },
    alias: {
      '@cityloop/shared': sharedSrc,
    },
    copy: { patterns: [], options: {} },
    // The palette and mixins go in front of every stylesheet, so no file imports them.
    sass: { resource: [path.resolve(__dirname, '../src/styles/tokens.scss')] },
    framework: 'react',
    // Prebundling would try to pre-build node_modules into a cache; not needed for an app this size.
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    mini: {
      // Keep only what the main-package pages use in the main package (WeChat's limit is 2 MB).
      optimizeMainPackage: { enable: true },
      compile: { include: [sharedSrc] },
      // Images as files from the package root, never inlined: WeChat's <map> takes a marker's iconPath
      // only as a package path, and a relative one would resolve against the page's folder.
      // (Taro reads `limit` oddly: 0 means its default, so 1 byte.)
      imageUrlLoaderOption: { limit: 1, publicPath: '/' },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
    h5: {
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      compile: { include: [sharedSrc] },
      output: {
        filename: 'js/[name].[hash:8].js',
        chunkFilename: 'js/[name].[chunkhash:8].js',
      },
      miniCssExtractPluginOption: {
        ignoreOrder: true,
        filename: 'css/[name].[hash].css',
        chunkFilename: 'css/[name].[chunkhash].css',
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        // Leaflet's CSS is in CSS px (tiles are 256 px, controls sized to be tapped): leave it unscaled.
        pxtransform: { enable: true, config: { exclude: (file: string) => /node_modules[\\/]leaflet[\\/]/.test(file) } },
        cssModules: { enable: false, config: { namingPattern: 'module', generateScopedName: '[name]__[local]___[hash:base64:5]' } },
      },
    },
  };

  if (process.env.NODE_ENV === 'development') {
    return merge({}, baseConfig, devConfig);
  }
  return merge({}, baseConfig, prodConfig);
});
