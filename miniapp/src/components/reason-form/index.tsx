import { useState } from 'react';
import { Button, Text, Textarea, View } from '@tarojs/components';
import { serverMessageZh } from '../../services/request';
import { charCount, errorMessageZh, isStorableText, REWARD_LIMITS } from '@cityloop/shared';
import './index.scss';

export interface ReasonFormProps {
  /** Prefix for the element ids (test hooks): `<id>-input`, `<id>-submit`, `<id>-cancel`. */
  id: string;
  title: string;
  hint?: string;
  placeholder: string;
  minChars: number;
  maxChars: number;
  submitText: string;
  /**
   * Sends the reason. Resolve when done (the parent closes the form) or when the resident backed out
   * of a confirm (the form stays); reject with the ApiError to show it under the box.
   */
  onSubmit: (reason: string) => Promise<unknown>;
  onCancel: () => void;
}

/** A small inline "why?" form (申诉, 申请重办): textarea with a character counter, send and cancel. */
export function ReasonForm({ id, title, hint, placeholder, minChars, maxChars, submitText, onSubmit, onCancel }: ReasonFormProps) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const count = charCount(text.trim());
  const bad = count > maxChars || (count > 0 && count < minChars);

  const submit = () => {
    if (sending) return;
    if (count < minChars) {
      setError(minChars <= 1 ? '请填写原因' : `请至少填写 ${minChars} 个字`);
      return;
    }
    if (count > maxChars) {
      setError(`最多 ${maxChars} 个字`);
      return;
    }
    if (!isStorableText(text)) {
      setError(errorMessageZh('TEXT_NOT_STORABLE'));
      return;
    }
    setError(null);
    setSending(true);
    onSubmit(text.trim()).then(
      () => setSending(false),
      (err: unknown) => {
        setSending(false);
        setError(serverMessageZh(err));
      },
    );
  };

  return (
    <View className='reason-form' id={id}>
      <View className='reason-form__head'>
        <Text className='reason-form__title'>{title}</Text>
        <Text className={bad ? 'reason-form__counter reason-form__counter--bad' : 'reason-form__counter'}>
          {count}/{maxChars}
        </Text>
      </View>
      {hint && <Text className='reason-form__hint'>{hint}</Text>}
      <Textarea
        id={`${id}-input`}
        className='reason-form__input'
        value={text}
        // No native cap: it counts UTF-16 units; the counter and the check count characters.
        maxlength={-1}
        placeholder={placeholder}
        disabled={sending}
        onInput={(e) => setText(e.detail.value)}
      />
      {error && <Text className='reason-form__error'>{error}</Text>}
      <View className='reason-form__actions'>
        <Button id={`${id}-cancel`} className='reason-form__cancel' size='mini' disabled={sending || undefined} onClick={onCancel}>
          取消
        </Button>
        <Button id={`${id}-submit`} className='reason-form__submit' size='mini' disabled={sending || undefined} onClick={submit}>
          {submitText}
        </Button>
      </View>
    </View>
  );
}

/** The 申诉 form for a reward decision, the same wherever the decision is shown. */
export function RewardAppealForm(props: Pick<ReasonFormProps, 'id' | 'onSubmit' | 'onCancel'>) {
  return (
    <ReasonForm
      {...props}
      title='申诉理由'
      hint='每条举报只能申诉一次，工作人员核实后答复'
      placeholder={`请说明理由（${REWARD_LIMITS.appealReasonMinChars}–${REWARD_LIMITS.appealReasonMaxChars} 字）`}
      minChars={REWARD_LIMITS.appealReasonMinChars}
      maxChars={REWARD_LIMITS.appealReasonMaxChars}
      submitText='提交申诉'
    />
  );
}
