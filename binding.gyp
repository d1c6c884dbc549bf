{
  "targets": [
    {
      "target_name": "loom",
      "sources": ["native/binding.cc", "native/mapping.cc", "native/futex.cc", "native/socket_pair.cc", "native/ring_binding.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wall", "-Wextra"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "libraries": ["-lrt", "-lpthread"]
    },
    {
      "target_name": "loom_runtime",
      "sources": ["native/runtime_binding.cc", "native/sigint_watch.cc"],
      "include_dirs": ["native"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wall", "-Wextra", "-Wno-cast-function-type"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "libraries": ["-lpthread"]
    }
  ]
}
