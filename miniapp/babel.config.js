// babel-preset-taro options: https://docs.taro.zone/docs/next/babel-config
module.exports = {
  presets: [
    [
      'taro',
      {
        framework: 'react',
        ts: true,
        compiler: 'webpack5',
        // No React Fast Refresh in H5 dev builds: react-refresh is not installed (and not needed for production).
        hot: false,
      },
    ],
  ],
};
