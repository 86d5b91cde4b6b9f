export default definePageConfig({
  navigationBarTitleText: '我关注的摊点',
  enablePullDownRefresh: true,
});
