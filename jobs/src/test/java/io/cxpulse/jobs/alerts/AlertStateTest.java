package io.cxpulse.jobs.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The evaluator's state must be Flink keyed state that survives a snapshot and a restore. */
class AlertStateTest {

  @Test
  void isAFlinkPojoNotAGenericKryoType() {
    assertThat(TypeInformation.of(AlertState.class)).isInstanceOf(PojoTypeInfo.class);
  }

  @Test
  void roundTripsThroughFlinksPojoSerializer() throws IOException {
    AlertState fresh = new AlertState();
    AlertState firing = new AlertState();
    firing.setFiring(true);
    firing.setAlertId("12f69b2c-56c4-350b-b5cc-b1323e5dd7c6");
    firing.setEpisodeStartMillis(1_741_608_180_000L);
    firing.setResolvedAtMillis(1_741_600_000_000L);
    firing.setLastWindowEndMillis(1_741_609_080_000L);

    assertThat(roundTrip(fresh)).isEqualTo(fresh);
    assertThat(roundTrip(firing)).isEqualTo(firing);
    assertThat(fresh.getLastWindowEndMillis()).isEqualTo(AlertState.NEVER);
    assertThat(fresh.getAlertId()).isNull();
  }

  private static AlertState roundTrip(AlertState state) throws IOException {
    TypeSerializer<AlertState> serializer =
        TypeInformation.of(AlertState.class).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(128);
    serializer.serialize(state, out);
    return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
  }
}
