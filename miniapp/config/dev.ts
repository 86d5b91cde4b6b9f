import type { UserConfigExport } from '@tarojs/cli';

export default {
  logger: { quiet: false, stats: true },
  mini: {},
  // Fast Refresh needs @pmmmwh/react-refresh-webpack-plugin and react-refresh, which are not installed;
  // dev builds use plain live reload instead.
  h5: { devServer: { hot: false } },
} satisfies UserConfigExport<'webpack5'>;
