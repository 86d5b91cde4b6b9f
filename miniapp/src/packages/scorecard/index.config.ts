export default definePageConfig({
  navigationBarTitleText: '城市管理成绩单',
  enablePullDownRefresh: true,
});
