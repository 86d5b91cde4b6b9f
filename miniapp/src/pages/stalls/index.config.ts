export default definePageConfig({
  navigationBarTitleText: '摊点',
  // The list pages in more spots when the user scrolls near the end.
  onReachBottomDistance: 80,
});
