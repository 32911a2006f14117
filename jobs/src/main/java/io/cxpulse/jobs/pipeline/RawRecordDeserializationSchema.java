package io.cxpulse.jobs.pipeline;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record into a {@link RawRecord} without looking at the value, so the source
 * never fails on bad input: decoding happens downstream, where failures become dead letters.
 */
public final class RawRecordDeserializationSchema
    implements KafkaRecordDeserializationSchema<RawRecord> {

  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
    out.collect(
        new RawRecord(
            record.topic(),
            record.partition(),
            record.offset(),
            record.timestamp() < 0 ? RawRecord.NO_TIMESTAMP : record.timestamp(),
            record.value()));
  }

  @Override
  public TypeInformation<RawRecord> getProducedType() {
    return TypeInformation.of(RawRecord.class);
  }
}
