package io.cxpulse.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cxpulse.jobs.config.LineYaml.ListNode;
import io.cxpulse.jobs.config.LineYaml.MapNode;
import io.cxpulse.jobs.config.LineYaml.Scalar;
import org.junit.jupiter.api.Test;

class LineYamlTest {

  @Test
  void everyKeyAndValueKeepsItsLine() {
    MapNode root =
        (MapNode)
            LineYaml.read("# header\nrules:\n  - id: a\n    window: 15m\n  - id: b\n", "f.yaml")
                .orElseThrow();
    ListNode rules = (ListNode) root.byKey().get("rules").value();
    assertThat(root.byKey().get("rules").line()).isEqualTo(2);
    MapNode second = (MapNode) rules.items().get(1);
    assertThat(second.line()).isEqualTo(5);
    Scalar window = (Scalar) ((MapNode) rules.items().get(0)).byKey().get("window").value();
    assertThat(window.text()).isEqualTo("15m");
    assertThat(window.line()).isEqualTo(4);
    assertThat(window.isNumber()).isFalse();
  }

  @Test
  void repeatedKeysAreKeptInFileOrderForTheReaderToJudge() {
    MapNode root = (MapNode) LineYaml.read("a: 1\nb: 2\na: 3\n", "f.yaml").orElseThrow();
    assertThat(root.fields()).extracting(LineYaml.Field::key).containsExactly("a", "b", "a");
    assertThat(((Scalar) root.byKey().get("a").value()).number()).isEqualTo(1.0);
    assertThatThrownBy(() -> LineYaml.requireUniqueKeys(root, "f.yaml"))
        .hasMessage("f.yaml line 3: key 'a' is given twice (first at line 1)");
  }

  @Test
  void emptyAndInvalidDocuments() {
    assertThat(LineYaml.read("# only a comment\n", "f.yaml")).isEmpty();
    assertThatThrownBy(() -> LineYaml.read("a: [1, 2\nb: 3\n", "f.yaml"))
        .hasMessageStartingWith("f.yaml line ")
        .hasMessageContaining("not valid YAML");
  }
}
