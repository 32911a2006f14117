package io.cxpulse.jobs.alerts;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's type for {@link MetricWindow}: one byte naming the metric ({@link Metric#ordinal()}),
 * then that metric's record as Flink serialises records, field by field.
 *
 * <p>Written by hand because Flink has no type for a sealed interface: given an interface it falls
 * back to Kryo, whose bytes in a savepoint do not survive a change of the classes. The per-metric
 * serializers are Flink's own (records as POJOs, the components through {@code
 * FieldByFieldTypeInfo}), and the snapshot is Flink's composite snapshot over them, so a change
 * inside one metric's components is resolved as for any POJO.
 */
public final class MetricWindowTypeInfo extends TypeInformation<MetricWindow> {

  private static final long serialVersionUID = 1L;

  /** Used by {@code @TypeInfo} on {@link MetricWindow}, so every use of it gets this type. */
  public static final class Factory extends TypeInfoFactory<MetricWindow> {
    @Override
    public TypeInformation<MetricWindow> createTypeInfo(
        Type type, Map<String, TypeInformation<?>> genericParameters) {
      return new MetricWindowTypeInfo();
    }
  }

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<MetricWindow> getTypeClass() {
    return MetricWindow.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<MetricWindow> createSerializer(SerializerConfig config) {
    TypeSerializer<?>[] kinds =
        Arrays.stream(Metric.values())
            .map(metric -> TypeInformation.of(MetricWindow.empty(metric).getClass()))
            .map(type -> type.createSerializer(config))
            .toArray(TypeSerializer<?>[]::new);
    return new Serializer(kinds);
  }

  @Override
  public String toString() {
    return "MetricWindow(one of " + Metric.KEYS + ")";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MetricWindowTypeInfo;
  }

  @Override
  public int hashCode() {
    return MetricWindowTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof MetricWindowTypeInfo;
  }

  /** A metric's tag, then its record with that metric's serializer. */
  public static final class Serializer extends TypeSerializer<MetricWindow> {

    private static final long serialVersionUID = 1L;

    /** The serializer of each metric's record, by {@link Metric#ordinal()}. */
    private final TypeSerializer<Object>[] kinds;

    @SuppressWarnings("unchecked")
    Serializer(TypeSerializer<?>[] kinds) {
      if (kinds.length != Metric.values().length) {
        throw new IllegalArgumentException(
            kinds.length + " serializers for " + Metric.values().length + " metrics");
      }
      this.kinds = (TypeSerializer<Object>[]) kinds.clone();
    }

    private TypeSerializer<Object> kindOf(MetricWindow window) {
      return kinds[window.metric().ordinal()];
    }

    private TypeSerializer<Object> kindOf(int tag) throws IOException {
      if (tag < 0 || tag >= kinds.length) {
        throw new IOException("no metric with tag " + tag + " (of " + kinds.length + ")");
      }
      return kinds[tag];
    }

    @Override
    public boolean isImmutableType() {
      return false;
    }

    @Override
    public TypeSerializer<MetricWindow> duplicate() {
      TypeSerializer<?>[] duplicates = new TypeSerializer<?>[kinds.length];
      boolean stateful = false;
      for (int i = 0; i < kinds.length; i++) {
        duplicates[i] = kinds[i].duplicate();
        stateful |= duplicates[i] != kinds[i];
      }
      return stateful ? new Serializer(duplicates) : this;
    }

    /** No metric is the default; Flink calls this only for a reused instance, which is ignored. */
    @Override
    public MetricWindow createInstance() {
      return null;
    }

    @Override
    public MetricWindow copy(MetricWindow from) {
      return (MetricWindow) kindOf(from).copy(from);
    }

    @Override
    public MetricWindow copy(MetricWindow from, MetricWindow reuse) {
      return copy(from);
    }

    @Override
    public int getLength() {
      return -1;
    }

    @Override
    public void serialize(MetricWindow window, DataOutputView target) throws IOException {
      target.writeByte(window.metric().ordinal());
      kindOf(window).serialize(window, target);
    }

    @Override
    public MetricWindow deserialize(DataInputView source) throws IOException {
      return (MetricWindow) kindOf(source.readUnsignedByte()).deserialize(source);
    }

    @Override
    public MetricWindow deserialize(MetricWindow reuse, DataInputView source) throws IOException {
      return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
      int tag = source.readUnsignedByte();
      target.writeByte(tag);
      kindOf(tag).copy(source, target);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Serializer serializer && Arrays.equals(kinds, serializer.kinds);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(kinds);
    }

    @Override
    public TypeSerializerSnapshot<MetricWindow> snapshotConfiguration() {
      return new Snapshot(this);
    }
  }

  /** The per-metric serializers' snapshots, in tag order; version 1 has no outer fields. */
  public static final class Snapshot
      extends CompositeTypeSerializerSnapshot<MetricWindow, Serializer> {

    /** For Flink, which reads a snapshot into a new instance. */
    public Snapshot() {}

    Snapshot(Serializer serializer) {
      super(serializer);
    }

    @Override
    protected int getCurrentOuterSnapshotVersion() {
      return 1;
    }

    @Override
    protected TypeSerializer<?>[] getNestedSerializers(Serializer outer) {
      return outer.kinds.clone();
    }

    @Override
    protected Serializer createOuterSerializerWithNestedSerializers(
        TypeSerializer<?>[] nestedSerializers) {
      return new Serializer(nestedSerializers);
    }
  }
}
