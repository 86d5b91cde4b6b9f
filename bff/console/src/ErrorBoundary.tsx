import { Alert, Button } from 'antd';
import { Component, type ReactNode } from 'react';

/** Keeps a page's failure inside the page: the menu stays usable and the error is shown, not a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: Error | null; key: string }> {
  state = { error: null as Error | null, key: this.props.resetKey };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: Error | null; key: string }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <Alert
        type='error'
        showIcon
        message='页面出错了'
        description={this.state.error.message}
        action={
          <Button size='small' onClick={() => window.location.reload()}>
            重新加载
          </Button>
        }
      />
    );
  }
}
