export default definePageConfig({
  navigationBarTitleText: '摊点详情',
});
