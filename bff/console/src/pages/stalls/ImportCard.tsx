import { App as AntApp, Alert, Button, Card, List, Space, Typography, Upload } from 'antd';
import { type StallImportResultDto, type StallImportRowProblemDto } from '@cityloop/shared';
import { useState } from 'react';
import { ApiError, api, messageOf } from '../../api';
type RowProblem = StallImportRowProblemDto;

export function ImportCard({ onImported }: { onImported: () => void }) {
  const { message } = AntApp.useApp();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<RowProblem[] | null>(null);
  const [result, setResult] = useState<string | null>(null);

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(true);
    setProblems(null);
    setResult(null);
    const isGeo = /\.(geo)?json$/i.test(file.name);
    try {
      const r = await api<StallImportResultDto>('/staff/stall-spots/import', {
        query: { dryRun: dryRun || undefined },
        raw: { contentType: isGeo ? 'application/geo+json' : 'text/csv', data: await file.text() },
      });
      const text = r.dryRun ? `试导入通过：${r.valid} 行均有效，尚未写入` : `已导入：新建 ${r.created} 个，更新 ${r.updated} 个`;
      setResult(text);
      if (!dryRun) {
        message.success(text);
        onImported();
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'IMPORT_INVALID') setProblems(((err.details as { rows?: RowProblem[] } | undefined)?.rows ?? []) as RowProblem[]);
      else message.error(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title='批量导入（CSV 或 GeoJSON，全部有效才导入）' size='small' style={{ marginBottom: 16 }}>
      <Space wrap>
        <Upload
          accept='.csv,.json,.geojson'
          maxCount={1}
          beforeUpload={(f) => {
            setFile(f);
            setProblems(null);
            setResult(null);
            return false;
          }}
          onRemove={() => setFile(null)}
        >
          <Button id='import-file'>选择文件</Button>
        </Upload>
        <Button onClick={() => void send(true)} disabled={!file} loading={busy} id='import-dry-run'>
          试导入（检查）
        </Button>
        <Button type='primary' onClick={() => void send(false)} disabled={!file} loading={busy} id='import-run'>
          正式导入
        </Button>
        <Typography.Text type='secondary' style={{ fontSize: 12 }}>
          按编号 code 匹配，已有的更新
        </Typography.Text>
      </Space>
      {result && <Alert id='import-result' style={{ marginTop: 12 }} type='success' showIcon message={result} />}
      {problems && (
        <Alert
          id='import-problems'
          style={{ marginTop: 12 }}
          type='error'
          showIcon
          message={`${problems.length} 行有错误，未导入任何数据`}
          description={
            <List
              size='small'
              dataSource={problems}
              renderItem={(p) => (
                <List.Item>
                  第 {p.row} 行{p.code ? `（${p.code}）` : ''}：{p.errors.join('；')}
                </List.Item>
              )}
            />
          }
        />
      )}
    </Card>
  );
}
