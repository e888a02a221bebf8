package dev.kalm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kalm.core.device.DeviceChoice;
import dev.kalm.core.embed.Embedder;
import dev.kalm.core.embed.EmbedderConfig;
import dev.kalm.core.embed.Embedders;
import dev.kalm.core.embed.Prompt;
import dev.kalm.core.testing.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KalmEmbedderTest {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("text", DataTypes.StringType, true)
      .add("lang", DataTypes.StringType, true);

  @TempDir Path dir;

  static List<String> texts(int n) {
    String[] words = {"copy", "files", "list", "directory", "network", "socket", "kernel", "print", "sort", "lines",
        "mount", "disk", "ownership", "process", "signal", "archive"};
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w <= i % 13; w++) {
        sb.append(w == 0 ? "" : " ").append(words[(i * 7 + w * 3) % words.length]);
      }
      out.add(sb.toString());
    }
    return out;
  }

  private static Dataset<Row> frame(SparkSession spark, List<String> texts, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      rows.add(RowFactory.create((long) i, texts.get(i), i % 2 == 0 ? "en" : null));
    }
    return spark.createDataFrame(rows, SCHEMA).repartition(partitions).sortWithinPartitions("id");
  }

  @Test
  void equalsEmbedderKeepingRowsOrderAndColumns() {
    SparkSession spark = SparkTests.spark();
    Path model = TestModels.micro();
    List<String> texts = new ArrayList<>(texts(48));
    texts.set(17, "");
    texts.set(40, null);
    Dataset<Row> input = frame(spark, texts, 3);
    List<Row> before = input.collectAsList();

    KalmEmbedder embedder = new KalmEmbedder().setModelPath(model.toString()).setDimension(16).setMaxLength(64)
        .setInstruction("find it").setChunkSize(7);
    List<Row> after = embedder.transform(input).collectAsList();

    assertEquals(before.size(), after.size());
    List<String> nonNull = new ArrayList<>();
    texts.forEach(t -> nonNull.add(t == null ? "x" : t));
    float[][] expected;
    EmbedderConfig config = EmbedderConfig.builder().dimension(16).maxLength(64).device(DeviceChoice.CPU).build();
    try (Embedder reference = Embedders.load(model, config)) {
      expected = reference.embed(nonNull, Prompt.instruction("find it"));
    }
    double worst = 0;
    for (int r = 0; r < after.size(); r++) {
      Row in = before.get(r);
      Row out = after.get(r);
      assertEquals(in.getLong(0), out.getLong(0), "row order");
      assertEquals(in.get(1), out.get(1));
      assertEquals(in.get(2), out.get(2));
      int id = (int) out.getLong(0);
      if (texts.get(id) == null) {
        assertTrue(out.isNullAt(3), "null text -> null embedding");
        continue;
      }
      List<Float> vector = out.getList(3);
      assertEquals(16, vector.size());
      for (int j = 0; j < 16; j++) {
        worst = Math.max(worst, Math.abs(vector.get(j) - expected[id][j]));
      }
    }
    System.out.printf("KalmEmbedder vs Embedder.embed: max abs difference %.3g over %d rows%n", worst, after.size());
    assertTrue(worst <= 1e-6, "max abs difference " + worst);
  }

  @Test
  void savesAndLoadsInsideAPipeline() throws Exception {
    KalmEmbedder embedder = new KalmEmbedder().setModelPath(TestModels.micro().toString()).setDimension(8)
        .setInputCol("body").setOutputCol("vec").setPooling("last");
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {embedder});
    SparkSession spark = SparkTests.spark();
    Dataset<Row> input = spark.createDataFrame(List.of(RowFactory.create("a b c"), RowFactory.create("d")),
        new StructType().add("body", DataTypes.StringType));
    PipelineModel fitted = pipeline.fit(input);
    String path = dir.resolve("pipeline").toString();
    fitted.write().save(path);
    PipelineModel loaded = PipelineModel.load(path);
    KalmEmbedder back = (KalmEmbedder) loaded.stages()[0];
    assertEquals(embedder.uid(), back.uid());
    assertEquals("vec", back.getOutputCol());
    assertEquals(8, back.getDimension());
    assertEquals("last", back.getPooling());
    List<Row> a = fitted.transform(input).collectAsList();
    List<Row> b = loaded.transform(input).collectAsList();
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).getList(1), b.get(i).getList(1));
    }
  }

  @Test
  void rejectsBadParamsBeforeRunning() {
    SparkSession spark = SparkTests.spark();
    Dataset<Row> input = frame(spark, texts(3), 1);
    String model = TestModels.micro().toString();
    IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class, () -> new KalmEmbedder().transform(input));
    assertTrue(noModel.getMessage().contains("modelPath"), noModel.getMessage());
    IllegalArgumentException column = assertThrows(IllegalArgumentException.class,
        () -> new KalmEmbedder().setModelPath(model).setInputCol("body").transform(input));
    assertTrue(column.getMessage().contains("'body'"), column.getMessage());
    IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
        () -> new KalmEmbedder().setModelPath(model).setInputCol("id").transform(input));
    assertTrue(type.getMessage().contains("string"), type.getMessage());
    IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
        () -> new KalmEmbedder().setModelPath(model).setMaxLength(-1).transform(input));
    assertTrue(length.getMessage().contains("maxLength"), length.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new KalmEmbedder().setModelPath(model).setOutputCol("lang").transform(input));
  }

  @Test
  void modelShippedWithAddFileReachesTasks() {
    SparkSession spark = SparkTests.spark();
    String source = ModelSource.ship(spark, TestModels.micro());
    assertEquals("spark-files:model", source);
    List<String> texts = texts(20);
    List<Row> viaFiles = new KalmEmbedder().setModelPath(source).setDimension(8).transform(frame(spark, texts, 2))
        .orderBy("id").collectAsList();
    List<Row> direct = new KalmEmbedder().setModelPath(TestModels.micro().toString()).setDimension(8)
        .transform(frame(spark, texts, 2)).orderBy("id").collectAsList();
    for (int i = 0; i < texts.size(); i++) {
      assertEquals(direct.get(i).getList(3), viaFiles.get(i).getList(3));
    }
    assertTrue(ModelSource.localFolder(source).toString().contains("spark"), "a copy in Spark's file folder");
  }

  @Test
  void hadoopUriIsCopiedOncePerJvmAndEmptyTextGivesZeros() {
    String uri = TestModels.micro().toUri().toString(); // file:///...: Hadoop's local file system
    Path first = ModelSource.localFolder(uri);
    assertEquals(first, ModelSource.localFolder(uri));
    assertTrue(!first.equals(TestModels.micro()) && first.endsWith("model"), "copied, not used in place: " + first);
    List<String> texts = List.of("copy files", "");
    List<Row> viaHadoop = new KalmEmbedder().setModelPath(uri).setDimension(8).transform(frame(SparkTests.spark(), texts, 1))
        .orderBy("id").collectAsList();
    float[][] expected;
    try (Embedder reference = Embedders.load(TestModels.micro(),
        EmbedderConfig.builder().dimension(8).device(DeviceChoice.CPU).build())) {
      expected = reference.embed(texts);
    }
    for (int i = 0; i < texts.size(); i++) {
      List<Float> v = viaHadoop.get(i).getList(3);
      for (int j = 0; j < 8; j++) {
        assertEquals(expected[i][j], v.get(j), 1e-6);
      }
    }
    viaHadoop.get(1).<Float>getList(3).forEach(v -> assertEquals(0f, v, "empty text without prompt: zero vector"));
  }
}
