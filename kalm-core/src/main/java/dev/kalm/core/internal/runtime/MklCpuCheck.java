package dev.kalm.core.internal.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a minimal x86-64 ELF shared library that defines two functions, {@code int mkl_serv_intel_cpu(void)}
 * and {@code int mkl_serv_intel_cpu_true(void)}, both returning 1. Intel MKL (linked into libtorch) calls them,
 * through libtorch's procedure linkage table, to decide whether the CPU may run its AVX-512 kernels (both must
 * answer: with only the first, MKL falls back to SSE2); on AMD CPUs it answers 0 and MKL falls back to its AVX2 kernels, although Zen 4 and later
 * execute AVX-512 (measured on a Zen 5: 2048x896x4864 float32 GEMM 195 -> 375 GFLOP/s). Loaded into the
 * process's global symbol scope before libtorch's first MKL call, this definition is found first, and MKL
 * then chooses its kernels by the CPU's feature flags alone.
 *
 * <p>Layout: ELF header, four program headers (a read/execute segment with the symbol table and the code, a
 * read/write segment with the dynamic section, the dynamic section, a non-executable stack), then SysV hash,
 * symbol table, string table and the six code bytes {@code mov eax, 1; ret}. No section headers: the dynamic
 * loader does not need them.
 */
final class MklCpuCheck {
  static final String[] SYMBOLS = {"mkl_serv_intel_cpu", "mkl_serv_intel_cpu_true"};
  static final String SONAME = "libkalm_mkl_cpu.so";

  private static final int PAGE = 0x1000;
  private static final int EHDR = 64;
  private static final int PHDR = 56;
  private static final int PHNUM = 4;
  private static final int PT_LOAD = 1;
  private static final int PT_DYNAMIC = 2;
  private static final int PT_GNU_STACK = 0x6474e551;
  private static final int PF_X = 1;
  private static final int PF_W = 2;
  private static final int PF_R = 4;
  private static final long DT_NULL = 0;
  private static final long DT_HASH = 4;
  private static final long DT_STRTAB = 5;
  private static final long DT_SYMTAB = 6;
  private static final long DT_STRSZ = 10;
  private static final long DT_SYMENT = 11;
  private static final long DT_SONAME = 14;
  private static final byte[] CODE = {(byte) 0xb8, 1, 0, 0, 0, (byte) 0xc3}; // mov eax, 1; ret

  private MklCpuCheck() {}

  /** The library's bytes; the same on every call. */
  static byte[] elf() {
    int symbols = SYMBOLS.length + 1; // the null symbol first
    String names = "\0" + String.join("\0", SYMBOLS) + "\0";
    byte[] strings = (names + SONAME + "\0").getBytes(StandardCharsets.US_ASCII);
    int sonameName = names.length();
    int hash = EHDR + PHNUM * PHDR;
    int hashSize = (2 + 1 + symbols) * 4; // nbucket 1, nchain, bucket[0], chain[symbols]
    int symtab = align(hash + hashSize, 8);
    int symtabSize = symbols * 24;
    int strtab = symtab + symtabSize;
    int text = align(strtab + strings.length, 16);
    int textEnd = text + CODE.length;
    int dynamic = PAGE;
    long[][] entries = {
      {DT_HASH, hash}, {DT_STRTAB, strtab}, {DT_SYMTAB, symtab}, {DT_STRSZ, strings.length},
      {DT_SYMENT, 24}, {DT_SONAME, sonameName}, {DT_NULL, 0}
    };
    int dynamicSize = entries.length * 16;

    ByteBuffer out = ByteBuffer.allocate(dynamic + dynamicSize).order(ByteOrder.LITTLE_ENDIAN);
    // ELF header
    out.put(new byte[] {0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little-endian */, 1 /* version */, 0 /* SysV */});
    out.position(16);
    out.putShort((short) 3); // ET_DYN
    out.putShort((short) 62); // EM_X86_64
    out.putInt(1); // EV_CURRENT
    out.putLong(0); // entry
    out.putLong(EHDR); // program headers right after this header
    out.putLong(0); // no section headers
    out.putInt(0); // flags
    out.putShort((short) EHDR);
    out.putShort((short) PHDR);
    out.putShort((short) PHNUM);
    out.putShort((short) 64); // section header entry size (none present)
    out.putShort((short) 0);
    out.putShort((short) 0);
    // program headers
    programHeader(out, PT_LOAD, PF_R | PF_X, 0, textEnd, PAGE);
    programHeader(out, PT_LOAD, PF_R | PF_W, dynamic, dynamicSize, PAGE);
    programHeader(out, PT_DYNAMIC, PF_R | PF_W, dynamic, dynamicSize, 8);
    programHeader(out, PT_GNU_STACK, PF_R | PF_W, 0, 0, 16);
    // SysV hash table: one bucket, starting at the last symbol; each chain entry links to the symbol before it
    out.position(hash);
    out.putInt(1).putInt(symbols).putInt(symbols - 1);
    for (int i = 0; i < symbols; i++) {
      out.putInt(Math.max(0, i - 1));
    }
    // symbol table: the null symbol, then the global functions, all at the same code
    out.position(symtab + 24);
    int name = 1;
    for (String symbol : SYMBOLS) {
      out.putInt(name);
      out.put((byte) 0x12); // STB_GLOBAL, STT_FUNC
      out.put((byte) 0); // default visibility
      out.putShort((short) 1); // defined (any ordinary section index; there are no section headers)
      out.putLong(text);
      out.putLong(CODE.length);
      name += symbol.length() + 1;
    }
    out.position(strtab);
    out.put(strings);
    out.position(text);
    out.put(CODE);
    out.position(dynamic);
    for (long[] entry : entries) {
      out.putLong(entry[0]).putLong(entry[1]);
    }
    return out.array();
  }

  private static void programHeader(ByteBuffer out, int type, int flags, long offset, long size, long alignment) {
    out.putInt(type);
    out.putInt(flags);
    out.putLong(offset); // file offset
    out.putLong(offset); // virtual address: the file is mapped as it lies
    out.putLong(offset); // physical address
    out.putLong(size); // size in the file
    out.putLong(size); // size in memory
    out.putLong(alignment);
  }

  private static int align(int value, int alignment) {
    return (value + alignment - 1) / alignment * alignment;
  }
}
