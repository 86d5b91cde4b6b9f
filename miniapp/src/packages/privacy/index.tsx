import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { formatYuan, type MyDataExportDto } from '@cityloop/shared';
import { eraseMyAccount, exportMyData, exportSummary } from '../../services/privacy';
import { serverMessageZh, toApiError } from '../../services/request';
import { confirm } from '../../utils/confirm';
import './index.scss';
import { Page } from '../../components/page';

type ExportState = { status: 'idle' } | { status: 'loading' } | { status: 'ready'; data: MyDataExportDto } | { status: 'error'; message: string };
type EraseState = { status: 'idle' } | { status: 'working' } | { status: 'done'; forfeitedFen: number } | { status: 'error'; message: string };

/** H5 can save a file; the mini-program copies the JSON for the resident to paste where they like. */
function saveOrCopy(data: MyDataExportDto) {
  const json = JSON.stringify(data, null, 2);
  if (process.env.TARO_ENV === 'h5') {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    link.download = 'cityloop-my-data.json';
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    return;
  }
  Taro.setClipboardData({ data: json }).catch(() => undefined);
}

/** 我的 → 个人信息: a copy of my data, and erasing my account (个人信息保护法 art. 45 and 47). */
export default function PrivacyPage() {
  const [exported, setExported] = useState<ExportState>({ status: 'idle' });
  const [erase, setErase] = useState<EraseState>({ status: 'idle' });

  const runExport = async () => {
    setExported({ status: 'loading' });
    try {
      setExported({ status: 'ready', data: await exportMyData() });
    } catch (err) {
      setExported({ status: 'error', message: toApiError(err).message });
    }
  };

  const runErase = async () => {
    const sure = await confirm('注销账号', '注销后将删除您的个人信息、照片和填写的文字，且无法恢复。确定注销吗？', '确定注销', { danger: true });
    if (!sure) return;
    setErase({ status: 'working' });
    try {
      const result = await eraseMyAccount(false);
      setErase({ status: 'done', forfeitedFen: result.forfeitedFen });
    } catch (err) {
      const error = toApiError(err);
      if (error.code === 'ACCOUNT_HAS_BALANCE') {
        const giveUp = await confirm('放弃奖励余额？', `${serverMessageZh(error)}。放弃后余额不再发放。`, '放弃并注销', { danger: true });
        if (!giveUp) return setErase({ status: 'idle' });
        try {
          const result = await eraseMyAccount(true);
          return setErase({ status: 'done', forfeitedFen: result.forfeitedFen });
        } catch (again) {
          return setErase({ status: 'error', message: serverMessageZh(again) });
        }
      }
      setErase({ status: 'error', message: serverMessageZh(error) });
    }
  };

  if (erase.status === 'done') {
    return (
      <Page block='privacy' title='个人信息' back>
        <View className='card privacy__done' id='privacy-erased'>
          <Text className='privacy__title'>账号已注销</Text>
          <Text className='privacy__text'>您的个人信息和照片已删除。举报记录已与您的身份分离，仅用于城市管理统计。</Text>
          {erase.forfeitedFen > 0 && <Text className='privacy__text'>已放弃奖励余额 {formatYuan(erase.forfeitedFen)}。</Text>}
          <Button className='privacy__button' onClick={() => Taro.reLaunch({ url: '/pages/report/index' }).catch(() => undefined)}>
            返回首页
          </Button>
        </View>
      </Page>
    );
  }

  return (
    <Page block='privacy' title='个人信息' back>
      <View className='card privacy__section'>
        <Text className='privacy__title'>导出我的数据</Text>
        <Text className='privacy__text'>包括账号资料、举报及照片、评价、奖励与提现记录、关注的摊点和收到的通知。</Text>
        {exported.status === 'ready' && (
          <View className='privacy__result' id='privacy-export-summary'>
            <Text className='privacy__text'>{exportSummary(exported.data)}</Text>
            <Button className='privacy__button' id='privacy-save' onClick={() => saveOrCopy(exported.data)}>
              {process.env.TARO_ENV === 'h5' ? '下载数据文件' : '复制全部数据'}
            </Button>
          </View>
        )}
        {exported.status === 'error' && <Text className='privacy__error'>{exported.message}</Text>}
        {exported.status !== 'ready' && (
          <Button className='privacy__button' id='privacy-export' disabled={exported.status === 'loading' || undefined} onClick={runExport}>
            {exported.status === 'loading' ? '正在导出…' : '导出我的数据'}
          </Button>
        )}
      </View>

      <View className='card privacy__section'>
        <Text className='privacy__title'>注销账号</Text>
        <Text className='privacy__text'>将删除：昵称、微信身份标识、上传的照片，以及您写的描述、评价留言和申诉理由。</Text>
        <Text className='privacy__text'>将保留：举报的类别、位置和办理进度（与您的身份分离，用于城市管理统计），以及奖励账目（财务记录须留存）。</Text>
        <Text className='privacy__text'>有提现正在处理时不能注销；还有奖励余额的，请先提现或确认放弃。</Text>
        {erase.status === 'error' && (
          <Text className='privacy__error' id='privacy-erase-error'>
            {erase.message}
          </Text>
        )}
        <Button className='privacy__button privacy__button--danger' id='privacy-erase' disabled={erase.status === 'working' || undefined} onClick={runErase}>
          {erase.status === 'working' ? '正在注销…' : '注销账号'}
        </Button>
      </View>
    </Page>
  );
}
