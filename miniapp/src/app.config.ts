export default defineAppConfig({
  // Main package: tab pages only (WeChat's main-package limit is 2 MB).
  pages: ['pages/report/index', 'pages/stalls/index', 'pages/me/index'],
  // Every later page goes into a subpackage, e.g. { root: 'packages/report', pages: ['new/index'] }.
  subPackages: [
    { root: 'packages/stalls', pages: ['detail/index'] },
    { root: 'packages/report', pages: ['mine/index', 'detail/index', 'rate/index'] },
    { root: 'packages/rewards', pages: ['index'] },
    { root: 'packages/scorecard', pages: ['index'] },
    { root: 'packages/privacy', pages: ['index'] },
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#ffffff',
    navigationBarTitleText: 'CityLoop',
    navigationBarTextStyle: 'black',
    backgroundColor: '#f5f6f8',
  },
  tabBar: {
    color: '#5c6066',
    selectedColor: '#0958d9',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/report/index', text: '随手拍' },
      { pagePath: 'pages/stalls/index', text: '摊点' },
      { pagePath: 'pages/me/index', text: '我的' },
    ],
  },
  // WeChat refuses getLocation unless the scope is declared with a reason shown to the user.
  permission: {
    'scope.userLocation': { desc: '用于查找附近的合法摊点和定位您上报的问题' },
  },
  requiredPrivateInfos: ['getLocation', 'chooseLocation'],
  lazyCodeLoading: 'requiredComponents',
});
