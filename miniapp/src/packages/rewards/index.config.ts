export default definePageConfig({
  navigationBarTitleText: '我的奖励',
  enablePullDownRefresh: true,
});
