package io.cxpulse.jobs.pipeline;

import io.cxpulse.jobs.validation.EventValidator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Passes every Kafka record through the {@link RecordGate} inside the source, so the source emits
 * {@link GateOutcome}s: that lets the Kafka source generate watermarks per partition (Flink's
 * per-split watermarks) from admitted events only, while undecodable, invalid and future-dated
 * records travel on to the dead letters without a timestamp that counts. Bad input never throws.
 *
 * @param <T> the generated Avro record type
 */
public final class GatingDeserializationSchema<T extends SpecificRecord>
    implements KafkaRecordDeserializationSchema<GateOutcome<T>> {

  private static final long serialVersionUID = 1L;

  private final EventDescriptor<T> descriptor;
  private final EventValidator<T> validator;

  private transient RecordGate<T> gate;
  private transient GateMetrics metrics;

  public GatingDeserializationSchema(EventDescriptor<T> descriptor, EventValidator<T> validator) {
    this.descriptor = descriptor;
    this.validator = validator;
  }

  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    gate =
        new RecordGate<>(descriptor, validator, context.getUserCodeClassLoader().asClassLoader());
    metrics = new GateMetrics(context.getMetricGroup());
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<GateOutcome<T>> out) {
    GateOutcome<T> outcome = gate.admit(RawRecord.of(record), System.currentTimeMillis());
    metrics.count(outcome);
    out.collect(outcome);
  }

  @Override
  public TypeInformation<GateOutcome<T>> getProducedType() {
    return GateOutcome.typeInfo(descriptor.type());
  }
}
