import type { PropsWithChildren } from 'react';
import { useLaunch } from '@tarojs/taro';
import { installPrivacyGuard } from './services/privacy';
import { ensureLogin } from './services/request';
import './app.scss';

// Before any page runs: privacy-protected APIs explain a missing consent and ask again.
installPrivacyGuard();

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // Silent login: pages that need the user share this call; failures are shown there with a retry.
    ensureLogin().catch(() => undefined);
  });

  // children are the pages being rendered
  return children;
}

export default App;
