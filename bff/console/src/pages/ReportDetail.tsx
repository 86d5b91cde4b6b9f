import { Alert, Card, Col, Descriptions, Empty, Image, Row, Space, Tag, Timeline, Typography } from 'antd';
import type { ReportDto } from '@cityloop/shared';
import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { messageOf } from '../api';
import { shTime, yuan } from '../format';
import { useApi } from '../useApi';

const MapView = lazy(() => import('../components/MapView'));

export default function ReportDetail() {
  const { id } = useParams();
  const res = useApi<{ report: ReportDto }>(`/staff/reports/${id}`);
  const r = res.data?.report;
  if (res.error) return <Alert type='error' showIcon message={messageOf(res.error)} />;
  if (!r) return <Card loading />;
  return (
    <div>
      <h2 className='page-title'>
        <Link to='/reports'>举报</Link> / {r.caseNumber ?? r.id.slice(0, 8)}
      </h2>
      <Row gutter={16}>
        <Col span={15}>
          <Card size='small' title='举报内容'>
            <Descriptions size='small' column={2} bordered>
              <Descriptions.Item label='类别'>{r.categoryName}</Descriptions.Item>
              <Descriptions.Item label='状态'>
                <Tag>{r.statusName}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label='案件编号'>{r.caseNumber ?? '—'}</Descriptions.Item>
              <Descriptions.Item label='处置部门'>{r.department ?? '—'}</Descriptions.Item>
              <Descriptions.Item label='提交'>{shTime(r.createdAt)}</Descriptions.Item>
              <Descriptions.Item label='预计完成'>{shTime(r.expectedAt)}</Descriptions.Item>
              <Descriptions.Item label='地址' span={2}>
                {r.address}
              </Descriptions.Item>
              <Descriptions.Item label='描述' span={2}>
                {r.description || '—'}
              </Descriptions.Item>
            </Descriptions>
            <Typography.Title level={5} style={{ marginTop: 16 }}>
              照片
            </Typography.Title>
            <Image.PreviewGroup>
              <Space wrap>
                {r.photos.map((p) => (
                  <div key={p.id} style={{ textAlign: 'center' }}>
                    <Image width={180} height={135} style={{ objectFit: 'cover' }} src={p.thumbUrl} preview={{ src: p.url }} />
                    <div style={{ fontSize: 12, color: '#888' }}>拍摄：{p.takenAt ? shTime(p.takenAt) : '无 EXIF 时间'}</div>
                  </div>
                ))}
                {r.afterPhotos.map((u) => (
                  <div key={u} style={{ textAlign: 'center' }}>
                    <Image width={180} height={135} style={{ objectFit: 'cover' }} src={u} />
                    <div style={{ fontSize: 12, color: '#888' }}>处置后</div>
                  </div>
                ))}
                {!r.photos.length && !r.afterPhotos.length && <Empty description='没有照片' />}
              </Space>
            </Image.PreviewGroup>
          </Card>
          <Card size='small' title='位置' style={{ marginTop: 16 }}>
            <Suspense fallback={<div className='map-box' style={{ height: 260 }} />}>
              <MapView height={260} points={[{ id: r.id, lat: r.location.lat, lng: r.location.lng, label: r.address }]} />
            </Suspense>
          </Card>
        </Col>
        <Col span={9}>
          <Card size='small' title='办理过程'>
            <Timeline
              items={r.timeline.map((t) => ({
                children: (
                  <div>
                    <b>{t.statusName}</b> <span style={{ color: '#888', fontSize: 12 }}>{shTime(t.at)}</span>
                    {t.note && <div style={{ fontSize: 12 }}>{t.note}</div>}
                  </div>
                ),
              }))}
            />
          </Card>
          <Card size='small' title='奖励' style={{ marginTop: 16 }}>
            <Descriptions size='small' column={1}>
              <Descriptions.Item label='决定'>{r.reward.reasonName}</Descriptions.Item>
              <Descriptions.Item label='金额'>{yuan(r.reward.amountFen)}</Descriptions.Item>
              {r.reward.appeal && (
                <Descriptions.Item label='申诉'>
                  {r.reward.appeal.reason}（{r.reward.appeal.status === 'pending' ? '待处理' : r.reward.appeal.status === 'upheld' ? '已支持' : '已驳回'}）
                </Descriptions.Item>
              )}
            </Descriptions>
          </Card>
          <Card size='small' title='评价' style={{ marginTop: 16 }}>
            {r.rating.ratings.length ? (
              r.rating.ratings.map((x) => (
                <div key={`${x.round}-${x.at}`} style={{ marginBottom: 8 }}>
                  <Tag color={x.level === 'dissatisfied' || x.level === 'very_dissatisfied' ? 'red' : 'green'}>{x.levelName}</Tag> 第 {x.round} 轮 · {shTime(x.at)}
                  {x.excludedFromFigures && <Tag>不计入统计</Tag>}
                  {x.comment && <div style={{ fontSize: 12 }}>{x.comment}</div>}
                </div>
              ))
            ) : (
              <Typography.Text type='secondary'>{r.rating.cannotRateReason ?? '尚未评价'}</Typography.Text>
            )}
            {r.rating.followUp && (
              <div style={{ marginTop: 8, fontSize: 12 }}>
                回访：{r.rating.followUp.status === 'done' ? `已办结（${r.rating.followUp.note ?? ''}）` : `待办结，期限 ${shTime(r.rating.followUp.dueAt)}`}
              </div>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
